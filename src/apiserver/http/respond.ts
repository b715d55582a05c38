/**
 * Writing responses: JSON bodies, Status errors (the one place errors become HTTP answers), and
 * the `Warning` header kubectl prints.
 */
import type { ServerResponse } from "node:http";
import type { Logger } from "../../machinery/log.ts";
import { isPatchError } from "../../machinery/patch/patch-error.ts";
import {
  isStatusError,
  newBadRequest,
  newInternalError,
  newInvalid,
  type Status,
} from "../../machinery/status.ts";

export function writeJson(
  res: ServerResponse,
  code: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  writeJsonBody(res, code, JSON.stringify(body), headers);
}

/** A body that is JSON already: text, or UTF-8 bytes. */
export function writeJsonBody(
  res: ServerResponse,
  code: number,
  body: string | Uint8Array,
  headers: Record<string, string> = {},
): void {
  res.writeHead(code, {
    "Content-Type": "application/json",
    "Content-Length": typeof body === "string" ? Buffer.byteLength(body) : body.byteLength,
    ...headers,
  });
  res.end(body);
}

/** `Warning: 299 - "text"` headers, as upstream formats them. */
export function warningHeaders(warnings: readonly string[]): string[] {
  return [...new Set(warnings)].map((w) => `299 - ${JSON.stringify(w)}`);
}

export function setWarnings(res: ServerResponse, warnings: readonly string[]): void {
  if (warnings.length > 0 && !res.headersSent) res.setHeader("Warning", warningHeaders(warnings));
}

/** The Status an error is answered with; unexpected errors become 500 and are logged. */
export function statusOf(err: unknown, log?: Logger): Status {
  if (isStatusError(err)) return err.status;
  if (isPatchError(err)) {
    return err.reason === "Invalid"
      ? newInvalid({ group: "", kind: "" }, "", []).status && {
          ...newBadRequest(err.message).status,
          reason: "Invalid",
          code: 422,
        }
      : newBadRequest(err.message).status;
  }
  log?.error("internal error", { err: err instanceof Error ? (err.stack ?? err.message) : err });
  return newInternalError(err instanceof Error ? err : String(err)).status;
}

export function writeError(res: ServerResponse, err: unknown, log?: Logger): void {
  const status = statusOf(err, log);
  if (res.headersSent) {
    res.destroy();
    return;
  }
  writeJson(res, status.code ?? 500, status);
}
