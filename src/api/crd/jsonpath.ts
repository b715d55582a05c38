/**
 * The JSONPath subset printer columns and selectable fields use (as kubectl's columns and the
 * API server's table convertor evaluate them): `.a.b`, `.a[0]`, `.a[-1]`, `.a[*].b`, `.a['b.c']`
 * and `.a["b"]`, optionally wrapped in `{}`. Missing keys yield no results, never errors.
 */
import { goNumber, isJsonObject } from "./json-schema.ts";

export type Step =
  | { readonly kind: "field"; readonly name: string }
  | { readonly kind: "index"; readonly index: number }
  | { readonly kind: "wildcard" };

const stepRe = /^(?:\.([^.[\]]+)|\[(-?\d+)\]|\[\*\]|\.?\['([^']*)'\]|\.?\["([^"]*)"\]|\.\*)/;

/** The steps of `path`, or an Error naming what could not be read. */
export function parseJSONPath(path: string): Step[] | Error {
  let rest = path.trim();
  if (rest.startsWith("{") && rest.endsWith("}")) rest = rest.slice(1, -1).trim();
  if (rest === "." || rest === "") return [];
  const steps: Step[] = [];
  while (rest.length > 0) {
    const m = stepRe.exec(rest);
    if (m === null) return new Error(`unrecognized JSONPath at ${JSON.stringify(rest)}`);
    const [all, name, index, single, double] = m;
    if (name !== undefined) steps.push({ kind: "field", name });
    else if (index !== undefined) steps.push({ kind: "index", index: Number(index) });
    else if (single !== undefined || double !== undefined) {
      steps.push({ kind: "field", name: single ?? double ?? "" });
    } else steps.push({ kind: "wildcard" });
    rest = rest.slice(all.length);
  }
  return steps;
}

function step(value: unknown, s: Step): unknown[] {
  if (s.kind === "field") {
    return isJsonObject(value) && Object.hasOwn(value, s.name) ? [value[s.name]] : [];
  }
  if (s.kind === "index") {
    if (!Array.isArray(value)) return [];
    const i = s.index < 0 ? value.length + s.index : s.index;
    return i >= 0 && i < value.length ? [value[i]] : [];
  }
  if (Array.isArray(value)) return value;
  return isJsonObject(value) ? Object.values(value) : [];
}

/** Every value `steps` reach in `root`, in document order. */
export function findResults(root: unknown, steps: readonly Step[]): unknown[] {
  let current: unknown[] = [root];
  for (const s of steps) current = current.flatMap((v) => step(v, s));
  return current;
}

/** Go's `json.Marshal`: map keys sorted. */
export function goJSON(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(goJSON).join(",")}]`;
  if (isJsonObject(value)) {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${goJSON(value[k])}`).join(",")}}`;
  }
  return JSON.stringify(value ?? null);
}

/** How the Go JSONPath printer writes one value: text as is, objects and lists as JSON. */
export function printResult(value: unknown): string {
  if (typeof value === "string") return value;
  if (typeof value === "number") return Number.isInteger(value) ? String(value) : goNumber(value);
  if (value === null || value === undefined) return "<nil>";
  if (typeof value === "object") return goJSON(value);
  return String(value);
}
