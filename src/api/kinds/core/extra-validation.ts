/**
 * Format checks the kinds here need that `src/machinery/validation.ts` does not (yet) offer:
 * config-map keys, wildcard hosts, domain-prefixed paths, FQDNs, "special" IPs and label
 * selectors. Messages are upstream's (`apimachinery/pkg/util/validation`,
 * `apis/meta/v1/validation`, `core/validation.ValidateNonSpecialIP`). Candidates for moving into
 * machinery once another component needs them.
 */
import * as field from "../../../machinery/field-errors.ts";
import type { FieldPath } from "../../../machinery/field-path.ts";
import { byteLength } from "../../../machinery/go-format.ts";
import { parseIPSloppy } from "../../../machinery/ip.ts";
import type { LabelSelector } from "../../../machinery/labels.ts";
import { validateLabels } from "../../../machinery/object-meta.ts";
import {
  dns1123SubdomainMaxLength,
  isDNS1123Label,
  isDNS1123Subdomain,
  isQualifiedName,
  isValidLabelValue,
  maxLenError,
  regexError,
} from "../../../machinery/validation.ts";

const configMapKeyFmt = "[-._a-zA-Z0-9]+";
const configMapKeyErrMsg =
  "a valid config key must consist of alphanumeric characters, '-', '_' or '.'";

/** `IsConfigMapKey`: keys of ConfigMap and Secret data. */
export function isConfigMapKey(value: string): string[] {
  const errs: string[] = [];
  if (byteLength(value) > dns1123SubdomainMaxLength) {
    errs.push(maxLenError(dns1123SubdomainMaxLength));
  }
  if (!new RegExp(`^(?:${configMapKeyFmt})$`).test(value)) {
    errs.push(regexError(configMapKeyErrMsg, configMapKeyFmt, "key.name", "KEY_NAME", "key-name"));
  }
  if (value === ".") errs.push("must not be '.'");
  else if (value === "..") errs.push("must not be '..'");
  else if (value.startsWith("..")) errs.push("must not start with '..'");
  return errs;
}

const wildcardFmt = "\\*\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*";
const wildcardErrMsg =
  "a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, which must consist of lower case alphanumeric characters, '-' or '.' and end with an alphanumeric character";

/** `IsWildcardDNS1123Subdomain`: `*.example.com`. */
export function isWildcardDNS1123Subdomain(value: string): string[] {
  const errs: string[] = [];
  if (byteLength(value) > dns1123SubdomainMaxLength) {
    errs.push(maxLenError(dns1123SubdomainMaxLength));
  }
  if (!new RegExp(`^(?:${wildcardFmt})$`).test(value)) {
    errs.push(regexError(wildcardErrMsg, wildcardFmt, "*.example.com"));
  }
  return errs;
}

const httpPathFmt = "[A-Za-z0-9/\\-._~%!$&'()*+,;=:]+";

/** `IsDomainPrefixedPath`: `example.com/path` (IngressClass controllers). */
export function isDomainPrefixedPath(path: FieldPath, value: string): field.FieldError[] {
  if (value.length === 0) return [field.required(path)];
  const slash = value.indexOf("/");
  const host = slash < 0 ? value : value.slice(0, slash);
  const rest = slash < 0 ? "" : value.slice(slash + 1);
  if (slash < 0 || host.length === 0 || rest.length === 0) {
    return [field.invalid(path, value, 'must be a domain-prefixed path (such as "acme.io/foo")')];
  }
  const errs = isDNS1123Subdomain(host).map((msg) => field.invalid(path, host, msg));
  if (!new RegExp(`^(?:${httpPathFmt})$`).test(rest)) {
    errs.push(field.invalid(path, rest, regexError("Invalid path", httpPathFmt)));
  }
  return errs;
}

/** `IsFullyQualifiedDomainName`: at least two labels, an optional trailing dot. */
export function isFullyQualifiedDomainName(path: FieldPath, value: string): field.FieldError[] {
  if (value.length === 0) return [field.required(path)];
  const name = value.endsWith(".") ? value.slice(0, -1) : value;
  const subdomainErrs = isDNS1123Subdomain(name);
  if (subdomainErrs.length > 0) return [field.invalid(path, name, subdomainErrs.join(","))];
  const labels = name.split(".");
  if (labels.length < 2) {
    return [
      field.invalid(path, name, "should be a domain with at least two segments separated by dots"),
    ];
  }
  for (const label of labels) {
    const errs = isDNS1123Label(label);
    if (errs.length > 0) return [field.invalid(path, label, errs.join(","))];
  }
  return [];
}

/** The IPv4 form of an address (also of an IPv4-mapped IPv6 one), as Go's `To4`. */
function to4(ip: Uint8Array): Uint8Array | null {
  if (ip.length === 4) return ip;
  const mapped = ip.slice(0, 10).every((b) => b === 0) && ip[10] === 0xff && ip[11] === 0xff;
  return mapped ? ip.slice(12) : null;
}

/** `IsValidIPv4Address` / `IsValidIPv6Address` (EndpointSlice addresses). */
export function isValidIPFamilyAddress(
  path: FieldPath,
  value: string,
  family: "IPv4" | "IPv6",
): field.FieldError[] {
  const ip = parseIPSloppy(value);
  const v4 = ip === null ? null : to4(ip);
  if (family === "IPv4" && (ip === null || v4 === null)) {
    return [field.invalid(path, value, "must be a valid IPv4 address")];
  }
  if (family === "IPv6" && (ip === null || v4 !== null)) {
    return [field.invalid(path, value, "must be a valid IPv6 address")];
  }
  return [];
}

/** `ValidateNonSpecialIP`: no unspecified, loopback or link-local addresses. */
export function validateNonSpecialIP(value: string, path: FieldPath): field.FieldError[] {
  const ip = parseIPSloppy(value);
  if (ip === null) return [field.invalid(path, value, "must be a valid IP address")];
  const v4 = to4(ip);
  const errs: field.FieldError[] = [];
  const bytes = v4 ?? ip;
  if (bytes.every((b) => b === 0)) {
    errs.push(field.invalid(path, value, `may not be unspecified (${value})`));
  }
  const loopback = v4 ? v4[0] === 127 : ip.slice(0, 15).every((b) => b === 0) && ip[15] === 1;
  if (loopback) {
    errs.push(
      field.invalid(path, value, "may not be in the loopback range (127.0.0.0/8, ::1/128)"),
    );
  }
  const linkLocal = v4
    ? v4[0] === 169 && v4[1] === 254
    : ip[0] === 0xfe && (ip[1]! & 0xc0) === 0x80;
  if (linkLocal) {
    errs.push(
      field.invalid(path, value, "may not be in the link-local range (169.254.0.0/16, fe80::/10)"),
    );
  }
  const llMulticast = v4
    ? v4[0] === 224 && v4[1] === 0 && v4[2] === 0
    : ip[0] === 0xff && (ip[1]! & 0x0f) === 0x02;
  if (llMulticast) {
    errs.push(
      field.invalid(
        path,
        value,
        "may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)",
      ),
    );
  }
  return errs;
}

/** `ValidateLabelName`: a label key is a qualified name. */
export function validateLabelName(name: string, path: FieldPath): field.FieldError[] {
  return isQualifiedName(name).map((msg) => field.invalid(path, name, msg));
}

/** `metav1validation.ValidateLabelSelector` (without the invalid-value allowance). */
export function validateLabelSelector(
  selector: LabelSelector | undefined,
  path: FieldPath,
): field.FieldError[] {
  if (selector === undefined || selector === null) return [];
  const errs = validateLabels(selector.matchLabels, path.child("matchLabels"));
  (selector.matchExpressions ?? []).forEach((expr, i) => {
    const p = path.child("matchExpressions").index(i);
    const values = expr.values ?? [];
    if (expr.operator === "In" || expr.operator === "NotIn") {
      if (values.length === 0) {
        errs.push(
          field.required(p.child("values"), "must be specified when `operator` is 'In' or 'NotIn'"),
        );
      }
    } else if (expr.operator === "Exists" || expr.operator === "DoesNotExist") {
      if (values.length > 0) {
        errs.push(
          field.forbidden(
            p.child("values"),
            "may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
          ),
        );
      }
    } else {
      errs.push(field.invalid(p.child("operator"), expr.operator, "not a valid selector operator"));
    }
    errs.push(...validateLabelName(expr.key ?? "", p.child("key")));
    values.forEach((v, j) => {
      for (const msg of isValidLabelValue(v)) {
        errs.push(field.invalid(p.child("values").index(j), v, msg));
      }
    });
  });
  return errs;
}
