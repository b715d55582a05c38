/**
 * What changed between two versions of an object, as structured-merge-diff's
 * `TypedValue.Compare`: fields only in the new version are `added` (every node of a new
 * subtree), fields only in the old one `removed`, leaves (scalars, atomic lists and maps) whose
 * values differ `modified`.
 */
import { deepEqual, isJsonObject } from "../patch/json-value.ts";
import { FieldSet } from "./field-set.ts";
import type { PathElement } from "./path.ts";
import { type ApplySchema, fieldSchema, itemSchema, shapeOf } from "./schema.ts";
import { indexList } from "./typed.ts";

export interface Comparison {
  readonly added: FieldSet;
  readonly removed: FieldSet;
  readonly modified: FieldSet;
}

export function compareValues(lhs: unknown, rhs: unknown, schema: ApplySchema): Comparison {
  const out = { added: new FieldSet(), removed: new FieldSet(), modified: new FieldSet() };
  compareAt(lhs, rhs, schema, [], out);
  return out;
}

/** All changed fields: `modified ∪ added ∪ removed`. */
export function changedFields(c: Comparison): FieldSet {
  return c.modified.union(c.added).union(c.removed);
}

function compareAt(
  lhs: unknown,
  rhs: unknown,
  schema: ApplySchema,
  path: PathElement[],
  out: Comparison,
): void {
  if (lhs === rhs) return; // the same value (or the same shared subtree): nothing changed
  if (lhs === undefined || rhs === undefined) {
    subtree(lhs ?? rhs, schema, path, lhs === undefined ? out.added : out.removed);
    return;
  }
  const shape = shapeOf(schema, rhs);
  if (shape !== shapeOf(schema, lhs) || shape === "leaf") {
    if (!deepEqual(lhs, rhs)) out.modified.insert(path);
    return;
  }
  for (const [pe, l, r, child] of pairs(lhs, rhs, schema, shape)) {
    compareAt(l, r, child, [...path, pe], out);
  }
}

type Pair = readonly [PathElement, unknown, unknown, ApplySchema];

/** The children of two granular values, matched by field name or list-item element. */
function pairs(lhs: unknown, rhs: unknown, schema: ApplySchema, shape: "object" | "list"): Pair[] {
  const out: Pair[] = [];
  if (shape === "object" && isJsonObject(lhs) && isJsonObject(rhs)) {
    const names = new Set([...Object.keys(lhs), ...Object.keys(rhs)]);
    for (const name of names) {
      const l = Object.hasOwn(lhs, name) ? lhs[name] : undefined;
      const r = Object.hasOwn(rhs, name) ? rhs[name] : undefined;
      out.push([{ field: name }, l, r, fieldSchema(schema, name)]);
    }
    return out;
  }
  const items = itemSchema(schema);
  const left = new Map<string, [PathElement, unknown]>();
  for (const it of indexList(schema, lhs as unknown[], { allowDuplicates: true })) {
    if (!left.has(it.text)) left.set(it.text, [it.element, it.item]);
  }
  const seen = new Set<string>();
  for (const it of indexList(schema, rhs as unknown[], { allowDuplicates: true })) {
    if (seen.has(it.text)) continue;
    seen.add(it.text);
    out.push([it.element, left.get(it.text)?.[1], it.item, items]);
  }
  for (const [text, [element, item]] of left) {
    if (!seen.has(text)) out.push([element, item, undefined, items]);
  }
  return out;
}

/** Every node of `value` (the node itself, fields, list items, leaves) into `into`. */
function subtree(value: unknown, schema: ApplySchema, path: PathElement[], into: FieldSet): void {
  into.insert(path);
  const shape = shapeOf(schema, value);
  if (shape === "leaf") return;
  for (const [pe, l, , child] of pairs(value, value, schema, shape)) {
    subtree(l, child, [...path, pe], into);
  }
}
