/**
 * Path elements, as structured-merge-diff's `fieldpath.PathElement`: a field name, the key of a
 * list-map item, the value of a set item, or a list index. Each has a canonical text, the one
 * `fieldsV1` uses (`f:image`, `k:{"name":"main"}`, `v:"example.com/x"`, `i:0`), and a
 * human-readable form used in conflict messages (`.image`, `[name="main"]`, `[="x"]`, `[0]`).
 */
import { isJsonObject } from "../patch/json-value.ts";
import { compareStrings, goJson, goJsonString } from "./go-json.ts";

export type PathElement =
  | { readonly field: string }
  | { readonly key: readonly KeyField[] }
  | { readonly value: unknown }
  | { readonly index: number };

/** One field of a list-map key; keys hold their fields sorted by name. */
export type KeyField = readonly [name: string, value: unknown];

export type Path = readonly PathElement[];

/** A list-map key from field names and values (sorted by name, as upstream keys are). */
export function keyElement(fields: Iterable<KeyField>): PathElement {
  return { key: [...fields].sort((a, b) => compareStrings(a[0], b[0])) };
}

/** The `fieldsV1` text of an element; equal elements have equal text. */
export function elementText(pe: PathElement): string {
  if ("field" in pe) return `f:${pe.field}`;
  if ("key" in pe)
    return `k:{${pe.key.map(([n, v]) => `${goJsonString(n)}:${goJson(v)}`).join(",")}}`;
  if ("value" in pe) return `v:${goJson(pe.value)}`;
  return `i:${pe.index}`;
}

/** Parses `f:`, `k:`, `v:` and `i:` texts; throws a plain Error on anything else. */
export function parseElement(text: string): PathElement {
  const body = text.slice(2);
  switch (text.slice(0, 2)) {
    case "f:":
      return { field: body };
    case "k:": {
      const parsed: unknown = JSON.parse(body);
      if (!isJsonObject(parsed)) throw new Error(`invalid key path element: ${text}`);
      return keyElement(Object.entries(parsed));
    }
    case "v:":
      return { value: JSON.parse(body) };
    case "i:":
      if (/^(0|[1-9][0-9]*)$/.test(body)) return { index: Number(body) };
      break;
  }
  throw new Error(`unknown path element type: ${JSON.stringify(text)}`);
}

/** The element as upstream's `PathElement.String()` prints it. */
export function elementString(pe: PathElement): string {
  if ("field" in pe) return `.${pe.field}`;
  if ("key" in pe) return `[${pe.key.map(([n, v]) => `${n}=${valueString(v)}`).join(",")}]`;
  if ("value" in pe) return `[=${valueString(pe.value)}]`;
  return `[${pe.index}]`;
}

/** A path as upstream prints it: `.spec.template.spec.containers[name="main"].image`. */
export function pathString(path: Path): string {
  return path.map(elementString).join("");
}

/** Upstream's `value.ToString`: strings quoted, lists and maps spelled out. */
function valueString(v: unknown): string {
  if (v === null || v === undefined) return "null";
  if (typeof v === "string") return goJsonString(v);
  if (Array.isArray(v)) return `[${v.map(valueString).join(", ")}]`;
  if (isJsonObject(v)) {
    return `{${Object.keys(v)
      .sort(compareStrings)
      .map((k) => `${k}=${valueString(v[k])}`)
      .join(", ")}}`;
  }
  return String(v);
}

const elementRank = (pe: PathElement): number =>
  "field" in pe ? 0 : "key" in pe ? 1 : "value" in pe ? 2 : 3;

/** Upstream's element order: fields, then keys, then values, then indices; each sorted. */
export function compareElements(a: PathElement, b: PathElement): number {
  const rank = elementRank(a) - elementRank(b);
  if (rank !== 0) return Math.sign(rank);
  if ("field" in a && "field" in b) return compareStrings(a.field, b.field);
  if ("key" in a && "key" in b) return compareKeys(a.key, b.key);
  if ("value" in a && "value" in b) return compareValues(a.value, b.value);
  if ("index" in a && "index" in b) return Math.sign(a.index - b.index);
  return 0;
}

function compareKeys(a: readonly KeyField[], b: readonly KeyField[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const c = compareStrings(a[i]![0], b[i]![0]) || compareValues(a[i]![1], b[i]![1]);
    if (c !== 0) return c;
  }
  return Math.sign(a.length - b.length);
}

const valueRank = (v: unknown): number => {
  if (typeof v === "number") return 0;
  if (typeof v === "string") return 1;
  if (typeof v === "boolean") return 2;
  if (Array.isArray(v)) return 3;
  if (isJsonObject(v)) return 4;
  return 5;
};

/** Upstream's `value.Compare`: numbers < strings < booleans < lists < maps < null. */
export function compareValues(a: unknown, b: unknown): number {
  const rank = valueRank(a) - valueRank(b);
  if (rank !== 0) return Math.sign(rank);
  if (typeof a === "number" && typeof b === "number") return Math.sign(a - b);
  if (typeof a === "string" && typeof b === "string") return compareStrings(a, b);
  if (typeof a === "boolean" && typeof b === "boolean") return Number(a) - Number(b);
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.min(a.length, b.length); i++) {
      const c = compareValues(a[i], b[i]);
      if (c !== 0) return c;
    }
    return Math.sign(a.length - b.length);
  }
  if (isJsonObject(a) && isJsonObject(b)) {
    const fields = (o: Record<string, unknown>): KeyField[] =>
      Object.keys(o)
        .sort(compareStrings)
        .map((k) => [k, o[k]] as const);
    return compareKeys(fields(a), fields(b));
  }
  return 0;
}
