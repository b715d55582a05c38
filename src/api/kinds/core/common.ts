/**
 * Helpers every kind in this folder shares: the object type the strategies work on, the common
 * printer columns, immutability checks and small formatting functions that mirror upstream's
 * printers and `apivalidation` helpers.
 */
import { isDeepStrictEqual } from "node:util";
import * as field from "../../../machinery/field-errors.ts";
import type { FieldPath } from "../../../machinery/field-path.ts";
import { selectorFromSet } from "../../../machinery/labels.ts";
import { fieldImmutableErrorMsg } from "../../../machinery/object-meta.ts";
import { parseQuantity } from "../../../machinery/quantity.ts";
import { isDNS1123Label, isDNS1123Subdomain } from "../../../machinery/validation.ts";
import type { KubeObject } from "../../object.ts";
import { age, column, type TableColumn } from "../../printer.ts";

/** A generated API type as the registry hands it to a strategy (a plain JSON object). */
export type Obj<T> = T & KubeObject;

export type FieldErrors = field.FieldError[];

export const supportedPortProtocols = ["SCTP", "TCP", "UDP"] as const;

/** The NAME column (`metav1.ObjectMeta` name). */
export function nameColumn(priority: 0 | 1 = 0): TableColumn {
  return column("Name", { priority, description: "Name must be unique within a namespace." });
}

/** The AGE column (`metav1.ObjectMeta` creationTimestamp). */
export function ageColumn(): TableColumn {
  return column("Age", {
    description:
      "CreationTimestamp is a timestamp representing the server time when this object was created.",
  });
}

export function nameOf(obj: KubeObject): string {
  return obj.metadata?.name ?? "";
}

export function ageOf(obj: KubeObject, now: number): string {
  return age(obj.metadata?.creationTimestamp, now);
}

/** `ValidateImmutableField`: `Invalid value: <new>: field is immutable` when the values differ. */
export function validateImmutableField(
  next: unknown,
  old: unknown,
  path: FieldPath,
): field.FieldError[] {
  if (isDeepStrictEqual(next ?? null, old ?? null)) return [];
  return [field.invalid(path, (next ?? null) as field.BadValue, fieldImmutableErrorMsg)];
}

/** `ValidateDNS1123Label`: one Invalid error per problem with `value`. */
export function validateDNS1123Label(value: string, path: FieldPath): field.FieldError[] {
  return isDNS1123Label(value).map((msg) => field.invalid(path, value, msg));
}

/** `ValidateDNS1123Subdomain`: one Invalid error per problem with `value`. */
export function validateDNS1123Subdomain(value: string, path: FieldPath): field.FieldError[] {
  return isDNS1123Subdomain(value).map((msg) => field.invalid(path, value, msg));
}

/** Errors for `path` from a `[]string` message list, as `for _, msg := range ...` does. */
export function invalidEach(path: FieldPath, value: field.BadValue, messages: string[]) {
  return messages.map((msg) => field.invalid(path, value, msg));
}

/** `labels.FormatLabels`: `a=b,c=d` sorted by key, or `<none>`. */
export function formatLabels(labels: Record<string, string> | undefined): string {
  const text = selectorFromSet(labels ?? {}).toString();
  return text === "" ? "<none>" : text;
}

/** `Quantity.String()` of a stored quantity ("0" when absent, the raw text when unparseable). */
export function quantityString(value: string | number | undefined): string {
  if (value === undefined) return "0";
  try {
    return parseQuantity(String(value).trim()).toString();
  } catch {
    return String(value);
  }
}

/** Deep equality of JSON values where an absent value equals null (Go's nil). */
export function sameValue(a: unknown, b: unknown): boolean {
  return isDeepStrictEqual(a ?? null, b ?? null);
}

/**
 * A short rendering of what changed between two JSON objects, standing in for the `cmp.Diff`
 * text upstream appends to "immutable after creation" messages.
 */
export function objectDiff(old: object | undefined, next: object | undefined): string {
  const a = (old ?? {}) as Record<string, unknown>;
  const b = (next ?? {}) as Record<string, unknown>;
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  const lines = ["  {"];
  for (const key of keys) {
    if (sameValue(a[key], b[key])) continue;
    if (a[key] !== undefined) lines.push(`- \t${key}: ${JSON.stringify(a[key])},`);
    if (b[key] !== undefined) lines.push(`+ \t${key}: ${JSON.stringify(b[key])},`);
  }
  lines.push("  }");
  return lines.join("\n");
}

/** Drops keys whose value is undefined (for objects built from optional sources). */
export function compact<T extends object>(obj: T): T {
  for (const [key, value] of Object.entries(obj)) {
    if (value === undefined) delete (obj as Record<string, unknown>)[key];
  }
  return obj;
}
