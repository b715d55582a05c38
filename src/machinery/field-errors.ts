/**
 * Field-level validation errors, mirroring apimachinery's `util/validation/field` package.
 *
 * Validation returns these as values (a `FieldError[]`), never throws them; the API server turns a
 * non-empty list into a 422 `Invalid` Status (see `newInvalid` in `status.ts`). Messages are
 * byte-for-byte what the Go API server prints, because kubectl shows them to users:
 *
 *   metadata.name: Invalid value: "Foo": a lowercase RFC 1123 subdomain must consist of ...
 *
 * Import as a namespace to read like upstream: `import * as field from "./field-errors.ts"` then
 * `field.invalid(path.child("name"), name, msg)`.
 *
 * Depends only on `field-path.ts` and `go-format.ts`.
 */
import { type FieldPath, pathString } from "./field-path.ts";
import { goQuote } from "./go-format.ts";

export type FieldErrorType =
  | "FieldValueNotFound"
  | "FieldValueRequired"
  | "FieldValueDuplicate"
  | "FieldValueInvalid"
  | "FieldValueNotSupported"
  | "FieldValueForbidden"
  | "FieldValueTooLong"
  | "FieldValueTooMany"
  | "InternalError"
  | "FieldValueTypeInvalid";

/** The human text of each type (`ErrorType.String()` upstream). */
export const fieldErrorTypeText: Record<FieldErrorType, string> = {
  FieldValueNotFound: "Not found",
  FieldValueRequired: "Required value",
  FieldValueDuplicate: "Duplicate value",
  FieldValueInvalid: "Invalid value",
  FieldValueNotSupported: "Unsupported value",
  FieldValueForbidden: "Forbidden",
  FieldValueTooLong: "Too long",
  FieldValueTooMany: "Too many",
  InternalError: "Internal error",
  FieldValueTypeInvalid: "Invalid value",
};

/** Marks a bad value that must not be printed (upstream's `omitValue`). */
export const omitValue: unique symbol = Symbol("omitValue");

/** A value printed as is, like a Go value that implements `fmt.Stringer`. */
export class RawValue {
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }
}

export type BadValue =
  | string
  | number
  | bigint
  | boolean
  | null
  | undefined
  | RawValue
  | typeof omitValue
  | readonly string[]
  | object;

export interface FieldError {
  readonly type: FieldErrorType;
  /** The path as a string, e.g. `spec.containers[0].name`; `<nil>` for a nil path. */
  readonly field: string;
  readonly badValue: BadValue;
  readonly detail: string;
}

function make(type: FieldErrorType, path: FieldPath | null, badValue: BadValue, detail: string) {
  return { type, field: pathString(path), badValue, detail } satisfies FieldError;
}

export const notFound = (path: FieldPath | null, value: BadValue): FieldError =>
  make("FieldValueNotFound", path, value, "");

export const required = (path: FieldPath | null, detail = ""): FieldError =>
  make("FieldValueRequired", path, "", detail);

export const duplicate = (path: FieldPath | null, value: BadValue): FieldError =>
  make("FieldValueDuplicate", path, value, "");

export const invalid = (path: FieldPath | null, value: BadValue, detail: string): FieldError =>
  make("FieldValueInvalid", path, value, detail);

export const typeInvalid = (path: FieldPath | null, value: BadValue, detail: string): FieldError =>
  make("FieldValueTypeInvalid", path, value, detail);

export const forbidden = (path: FieldPath | null, detail: string): FieldError =>
  make("FieldValueForbidden", path, "", detail);

/** `Unsupported value: "x": supported values: "a", "b"`. */
export function notSupported(
  path: FieldPath | null,
  value: BadValue,
  validValues: readonly string[],
): FieldError {
  const detail =
    validValues.length > 0 ? `supported values: ${validValues.map(goQuote).join(", ")}` : "";
  return make("FieldValueNotSupported", path, value, detail);
}

/** `Too long: may not be more than 63 bytes` (the value itself is never printed). */
export function tooLong(path: FieldPath | null, maxLength: number): FieldError {
  const detail =
    maxLength >= 0
      ? `may not be more than ${maxLength} ${maxLength === 1 ? "byte" : "bytes"}`
      : "value is too long";
  return make("FieldValueTooLong", path, "<value omitted>", detail);
}

/** `Too many: 5: must have at most 3 items`; a negative `actual` is not printed. */
export function tooMany(path: FieldPath | null, actual: number, max: number): FieldError {
  const detail =
    max >= 0 ? `must have at most ${max} ${max === 1 ? "item" : "items"}` : "has too many items";
  return make("FieldValueTooMany", path, actual >= 0 ? actual : omitValue, detail);
}

export const internalError = (path: FieldPath | null, err: Error): FieldError =>
  make("InternalError", path, null, err.message);

/** How a bad value prints after the type text (Go's `%v`, `%q` or `%#v`, by type). */
export function formatBadValue(value: BadValue): string {
  if (value === null || value === undefined) return "null";
  if (typeof value === "string") return goQuote(value);
  if (typeof value === "number" || typeof value === "bigint" || typeof value === "boolean") {
    return String(value);
  }
  if (value instanceof RawValue) return value.text;
  if (Array.isArray(value) && value.every((v) => typeof v === "string")) {
    // An empty list is nil in Go by the time it is reported (decoded or copied with append).
    return value.length === 0 ? "[]string(nil)" : `[]string{${value.map(goQuote).join(", ")}}`;
  }
  return JSON.stringify(value);
}

/** The message without the field (`ErrorBody` upstream), as Status causes carry it. */
export function fieldErrorBody(err: FieldError): string {
  const text = fieldErrorTypeText[err.type];
  let s: string;
  switch (err.type) {
    case "FieldValueRequired":
    case "FieldValueForbidden":
    case "FieldValueTooLong":
    case "InternalError":
      s = text;
      break;
    default:
      s = err.badValue === omitValue ? text : `${text}: ${formatBadValue(err.badValue)}`;
  }
  return err.detail.length > 0 ? `${s}: ${err.detail}` : s;
}

/** The full message: `<field>: <body>`. */
export function fieldErrorMessage(err: FieldError): string {
  return `${err.field}: ${fieldErrorBody(err)}`;
}

/**
 * Joins messages as `utilerrors.Aggregate` prints them: duplicates dropped, one message as is,
 * several as `[a, b]`, none as "".
 */
export function aggregateMessages(messages: readonly string[]): string {
  const unique = [...new Set(messages)];
  if (unique.length === 1) return unique[0]!;
  return unique.length === 0 ? "" : `[${unique.join(", ")}]`;
}

/** `ErrorList.ToAggregate().Error()`: the message Invalid statuses end with. */
export function toAggregateMessage(errors: readonly FieldError[]): string {
  return aggregateMessages(errors.map(fieldErrorMessage));
}

/** A `metav1.StatusCause` (JSON shape), as `newInvalid` builds them from field errors. */
export interface FieldCause {
  reason: FieldErrorType;
  message: string;
  field?: string;
}

export function toStatusCauses(errors: readonly FieldError[]): FieldCause[] {
  return errors.map((err) => {
    const cause: FieldCause = { reason: err.type, message: fieldErrorBody(err) };
    if (err.field !== "") cause.field = err.field;
    return cause;
  });
}
