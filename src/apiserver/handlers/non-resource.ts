/**
 * Paths that are not resources: version, health, metrics, discovery roots, OpenAPI documents.
 */
import type { ServerResponse } from "node:http";
import { writeJson } from "../http/respond.ts";
import type { HttpContext } from "./context.ts";
import {
  aggregatedContentType,
  aggregatedDiscovery,
  apiGroup,
  apiGroupList,
  apiResourceList,
  apiVersions,
  wantsAggregated,
} from "./discovery.ts";
import type { OpenAPIDocuments } from "./openapi.ts";
import { pathNotFound } from "./resource.ts";

export interface NonResourceParts {
  readonly version: object;
  readonly healthChecks: () => Array<{ name: string; ok: boolean; message?: string }>;
  readonly metrics: () => string;
  readonly openapi: OpenAPIDocuments;
  readonly serverAddress: string;
}

export const publicPaths = new Set(["/healthz", "/livez", "/readyz", "/version"]);

function writeText(
  res: ServerResponse,
  code: number,
  text: string | Uint8Array,
  type = "text/plain; charset=utf-8",
) {
  res.writeHead(code, { "Content-Type": type, "Content-Length": Buffer.byteLength(text) });
  res.end(text);
}

function health(ctx: HttpContext, parts: NonResourceParts, path: string): void {
  const checks = path === "/livez" ? [{ name: "ping", ok: true }] : parts.healthChecks();
  const failed = checks.filter((c) => !c.ok);
  const kind = path.slice(1);
  if (ctx.query.has("verbose")) {
    const lines = checks.map(
      (c) =>
        `[${c.ok ? "+" : "-"}]${c.name} ${c.ok ? "ok" : `failed: ${c.message ?? "not ready"}`}`,
    );
    lines.push(failed.length ? `${kind} check failed` : `${kind} check passed`);
    writeText(ctx.res, failed.length ? 500 : 200, `${lines.join("\n")}\n`);
    return;
  }
  if (failed.length)
    writeText(
      ctx.res,
      500,
      `${failed.map((c) => `[-]${c.name} failed`).join("\n")}\n${kind} check failed\n`,
    );
  else writeText(ctx.res, 200, "ok");
}

export function serveNonResource(ctx: HttpContext, parts: NonResourceParts): void {
  const { path } = ctx.info;
  const accept = ctx.req.headers.accept;
  const body = documentFor(path, accept, ctx, parts);
  if (body === undefined) throw pathNotFound();
  if (body.kind === "json") {
    writeJson(ctx.res, 200, body.value, body.headers ?? {});
  } else if (body.kind === "text") {
    for (const [k, v] of Object.entries(body.headers ?? {})) ctx.res.setHeader(k, v);
    writeText(ctx.res, 200, body.text, body.type);
  } else {
    health(ctx, parts, path);
  }
}

type Answer =
  | { kind: "json"; value: unknown; headers?: Record<string, string> }
  | { kind: "text"; text: string | Uint8Array; type?: string; headers?: Record<string, string> }
  | { kind: "health" };

function documentFor(
  path: string,
  accept: string | undefined,
  ctx: HttpContext,
  parts: NonResourceParts,
): Answer | undefined {
  const catalog = ctx.parts.catalog;
  if (path === "/version") return { kind: "json", value: parts.version };
  if (path === "/healthz" || path === "/livez" || path === "/readyz") return { kind: "health" };
  if (path === "/metrics") {
    return { kind: "text", text: parts.metrics(), type: "text/plain; version=0.0.4" };
  }
  if (path === "/api" || path === "/apis") {
    const legacy = path === "/api";
    if (wantsAggregated(accept)) {
      return {
        kind: "json",
        value: aggregatedDiscovery(catalog, legacy),
        headers: { "Content-Type": aggregatedContentType },
      };
    }
    return {
      kind: "json",
      value: legacy ? apiVersions(parts.serverAddress) : apiGroupList(catalog),
    };
  }
  const segments = path.split("/").filter(Boolean);
  if (segments[0] === "api" && segments.length === 2) {
    const list = apiResourceList(catalog, "", segments[1]!);
    return list ? { kind: "json", value: list } : undefined;
  }
  if (segments[0] === "apis" && segments.length === 2) {
    const group = apiGroup(catalog, segments[1]!);
    return group ? { kind: "json", value: group } : undefined;
  }
  if (segments[0] === "apis" && segments.length === 3) {
    const list = apiResourceList(catalog, segments[1]!, segments[2]!);
    return list ? { kind: "json", value: list } : undefined;
  }
  if (segments[0] === "openapi") {
    const doc = parts.openapi.lookup(path, accept);
    if (!doc) return undefined;
    return {
      kind: "text",
      text: doc.body,
      type: doc.contentType,
      headers: {
        ...(doc.etag ? { ETag: `"${doc.etag}"` } : {}),
        ...(ctx.query.has("hash") ? { "Cache-Control": "public, immutable" } : {}),
      },
    };
  }
  return undefined;
}
