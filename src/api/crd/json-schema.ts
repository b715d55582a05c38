/**
 * Small helpers over `JSONSchemaProps` (the CRD's `openAPIV3Schema`) and the JSON values custom
 * resources are made of. Everything else in this folder walks schemas through these.
 */
import { isDeepStrictEqual } from "node:util";
import type { JSONSchemaProps } from "../generated/types.ts";

export type Schema = JSONSchemaProps;
export type JsonMap = Record<string, unknown>;

/** The JSON type names go-openapi reports for values ("integer" for whole numbers). */
export type JsonType = "null" | "boolean" | "integer" | "number" | "string" | "array" | "object";

export function isJsonObject(value: unknown): value is JsonMap {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function jsonTypeOf(value: unknown): JsonType {
  if (value === null || value === undefined) return "null";
  if (Array.isArray(value)) return "array";
  switch (typeof value) {
    case "boolean":
      return "boolean";
    case "number":
    case "bigint":
      return Number.isInteger(Number(value)) ? "integer" : "number";
    case "string":
      return "string";
    default:
      return "object";
  }
}

export function jsonEqual(a: unknown, b: unknown): boolean {
  return isDeepStrictEqual(a, b);
}

/** `items` when it is one schema (structural schemas never use the tuple form). */
export function itemsOf(s: Schema): Schema | undefined {
  return s.items !== undefined && !Array.isArray(s.items) ? s.items : undefined;
}

/** `additionalProperties` when it is a schema; `true` counts as an empty schema. */
export function additionalOf(s: Schema): Schema | undefined {
  const ap = s.additionalProperties;
  if (ap === undefined || ap === false) return undefined;
  return ap === true ? {} : ap;
}

export function hasOwn(obj: object, key: string): boolean {
  return Object.hasOwn(obj, key);
}

export const preserveUnknown = (s: Schema | undefined): boolean =>
  s?.["x-kubernetes-preserve-unknown-fields"] === true;

export const embeddedResource = (s: Schema | undefined): boolean =>
  s?.["x-kubernetes-embedded-resource"] === true;

export const intOrString = (s: Schema | undefined): boolean =>
  s?.["x-kubernetes-int-or-string"] === true;

/** The fields every (embedded) resource keeps whatever its schema says. */
export const metaFields: ReadonlySet<string> = new Set(["apiVersion", "kind", "metadata"]);

/** Go's `%v` of a float64: shortest digits, exponent form below 1e-4 or from 1e6 ("1e+06"). */
export function goNumber(n: number): string {
  if (n === 0 || !Number.isFinite(n)) return String(n);
  const [mantissa = "", exponent = "0"] = n.toExponential().split("e");
  const exp = Number(exponent);
  if (exp >= -4 && exp < 6) return String(n);
  const digits = String(Math.abs(exp)).padStart(2, "0");
  return `${mantissa}e${exp < 0 ? "-" : "+"}${digits}`;
}

/** The schema of property `key` (own properties only: data keys like "constructor" are safe). */
export function propertyOf(s: Schema | undefined, key: string): Schema | undefined {
  const props = s?.properties;
  return props !== undefined && Object.hasOwn(props, key) ? props[key] : undefined;
}
