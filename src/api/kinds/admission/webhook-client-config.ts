/**
 * A webhook's `clientConfig` (upstream `k8s.io/apiserver/pkg/util/webhook` `ValidateWebhookURL`
 * and `ValidateWebhookService`), and its `caBundle`, a `[]byte` that JSON carries as base64.
 */
import * as field from "../../../machinery/field-errors.ts";
import type { FieldPath } from "../../../machinery/field-path.ts";
import { isDNS1123Subdomain, isValidPortNum } from "../../../machinery/validation.ts";
import type {
  AdmissionregistrationV1ServiceReference,
  AdmissionregistrationV1WebhookClientConfig,
} from "../../generated/types.ts";
import type { FieldErrors } from "../core/common.ts";
import { parseGoURL } from "./webhook-url.ts";

const desiredForm = "; desired format: https://host[/path]";

/** `ValidateWebhookURL` with forceHttps: https, a host, no user info, fragment or query. */
export function validateWebhookURL(raw: string, path: FieldPath): FieldErrors {
  const parsed = parseGoURL(raw);
  if ("error" in parsed) {
    return [field.required(path, `url must be a valid URL: ${parsed.error}${desiredForm}`)];
  }
  const { url } = parsed;
  const errs: FieldErrors = [];
  if (url.scheme !== "https") {
    errs.push(
      field.invalid(path, url.scheme, `'https' is the only allowed URL scheme${desiredForm}`),
    );
  }
  if (url.host === "") {
    errs.push(field.invalid(path, url.host, `host must be provided${desiredForm}`));
  }
  if (url.user !== undefined) {
    errs.push(field.invalid(path, url.user, "user information is not permitted in the URL"));
  }
  if (url.fragment !== "") {
    errs.push(field.invalid(path, url.fragment, "fragments are not permitted in the URL"));
  }
  if (url.rawQuery !== "") {
    errs.push(field.invalid(path, url.rawQuery, "query parameters are not permitted in the URL"));
  }
  return errs;
}

/**
 * `ValidateWebhookService`. Upstream's callers pass the service's name where the function takes
 * the namespace and the other way round, so a missing namespace is reported at `name` ("service
 * name is required") and a missing name at `namespace`; kept as upstream prints it.
 */
export function validateWebhookService(
  service: AdmissionregistrationV1ServiceReference,
  path: FieldPath,
): FieldErrors {
  const errs: FieldErrors = [];
  if (!service.namespace) {
    errs.push(field.required(path.child("name"), "service name is required"));
  }
  if (!service.name) {
    errs.push(field.required(path.child("namespace"), "service namespace is required"));
  }
  const port = service.port ?? 0;
  const portErrors = isValidPortNum(port);
  if (portErrors.length > 0) {
    errs.push(
      field.invalid(path.child("port"), port, `port is not valid: ${portErrors.join(", ")}`),
    );
  }
  const urlPath = service.path;
  if (urlPath === undefined || urlPath === null || urlPath === "" || urlPath === "/") return errs;
  const pathField = path.child("path");
  if (urlPath === "//")
    return [...errs, field.invalid(pathField, urlPath, "segment[0] may not be empty")];
  if (!urlPath.startsWith("/"))
    errs.push(field.invalid(pathField, urlPath, "must start with a '/'"));
  let rest = urlPath.slice(1);
  if (rest.endsWith("/")) rest = rest.slice(0, -1);
  rest.split("/").forEach((step, i) => {
    if (step === "") {
      errs.push(field.invalid(pathField, urlPath, `segment[${i}] may not be empty`));
      return;
    }
    for (const failure of isDNS1123Subdomain(step)) {
      errs.push(field.invalid(pathField, urlPath, `segment[${i}]: ${failure}`));
    }
  });
  return errs;
}

/** The clientConfig checks of `validateValidatingWebhook` / `validateMutatingWebhook`. */
export function validateClientConfig(
  cc: AdmissionregistrationV1WebhookClientConfig | undefined,
  path: FieldPath,
): FieldErrors {
  const hasURL = cc?.url !== undefined && cc.url !== null;
  const hasService = cc?.service !== undefined && cc.service !== null;
  const errs: FieldErrors = [];
  if (hasURL === hasService) {
    errs.push(field.required(path, "exactly one of url or service is required"));
  } else if (hasURL) {
    errs.push(...validateWebhookURL(cc!.url!, path.child("url")));
  } else {
    errs.push(...validateWebhookService(cc!.service!, path.child("service")));
  }
  const caBundleError = cc?.caBundle ? base64Error(cc.caBundle) : undefined;
  if (caBundleError)
    errs.push(field.invalid(path.child("caBundle"), field.omitValue, caBundleError));
  return errs;
}

const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const isNewline = (b: number | undefined) => b === 0x0a || b === 0x0d;

/**
 * Why Go's `base64.StdEncoding` (what `encoding/json` decodes `[]byte` with) refuses `text`:
 * `illegal base64 data at input byte N`, or undefined when it decodes. Newlines are skipped.
 */
export function base64Error(text: string): string | undefined {
  const src = Buffer.from(text, "utf8");
  const corrupt = (at: number) => `illegal base64 data at input byte ${at}`;
  let si = 0;
  while (si < src.length) {
    for (let j = 0; j < 4; j++) {
      if (si === src.length) {
        if (j === 0) return undefined;
        return corrupt(si - j);
      }
      const b = src[si++]!;
      if (alphabet.includes(String.fromCharCode(b)) && b < 0x80) continue;
      if (isNewline(b)) {
        j--;
        continue;
      }
      if (b !== 0x3d || j < 2) return corrupt(si - 1);
      if (j === 2) {
        while (si < src.length && isNewline(src[si])) si++;
        if (si === src.length) return corrupt(src.length);
        if (src[si] !== 0x3d) return corrupt(si - 1);
        si++;
      }
      while (si < src.length && isNewline(src[si])) si++;
      return si < src.length ? corrupt(si) : undefined;
    }
  }
  return undefined;
}
