/**
 * JSON text as Go's encoding/json writes an unstructured value: object keys sorted, `<`, `>`,
 * `&`, U+2028 and U+2029 escaped. Used where the bytes are visible: `k:`/`v:` path elements in
 * `fieldsV1`, and the last-applied-configuration annotation.
 */
import { isJsonObject } from "../patch/json-value.ts";

const htmlEscapes: Record<string, string> = {
  "<": "\\u003c",
  ">": "\\u003e",
  "&": "\\u0026",
  "\u2028": "\\u2028",
  "\u2029": "\\u2029",
};

/** A string literal as Go writes it. */
export function goJsonString(s: string): string {
  const json = JSON.stringify(s);
  return htmlEscaped.test(json)
    ? json.replace(htmlEscapedAll, (ch) => htmlEscapes[ch] ?? ch)
    : json;
}

const htmlEscaped = /[<>&\u2028\u2029]/;
const htmlEscapedAll = /[<>&\u2028\u2029]/g;

/** A compact JSON rendering with sorted object keys. */
export function goJson(value: unknown): string {
  if (typeof value === "string") return goJsonString(value);
  if (Array.isArray(value)) return `[${value.map((v) => goJson(v)).join(",")}]`;
  if (isJsonObject(value)) {
    const keys = Object.keys(value).sort(compareStrings);
    return `{${keys.map((k) => `${goJsonString(k)}:${goJson(value[k])}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

/** Go's string order (UTF-8 bytes, i.e. code points), not JavaScript's UTF-16 code units. */
export function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i)!;
    const y = b.codePointAt(i)!;
    if (x !== y) return x < y ? -1 : 1;
    if (x > 0xffff) i++;
  }
  return a.length < b.length ? -1 : a.length > b.length ? 1 : 0;
}
