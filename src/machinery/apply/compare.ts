/**
 * What changed between two versions of an object, as structured-merge-diff's
 * `TypedValue.Compare`: fields only in the new version are `added` (every node of a new
 * subtree), fields only in the old one `removed`, leaves (scalars, atomic lists and maps) whose
 * values differ `modified`.
 *
 * The walk builds the three sets top-down: each visited node knows its place in each set, made
 * only when something below it is added (no path arrays, no lookups from the root).
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
  compareAt(lhs, rhs, schema, undefined, [out.added, out.removed, out.modified]);
  return out;
}

/** All changed fields: `modified ∪ added ∪ removed`. */
export function changedFields(c: Comparison): FieldSet {
  return c.modified.union(c.added).union(c.removed);
}

const added = 0;
const removed = 1;
const modified = 2;
type Which = typeof added | typeof removed | typeof modified;
type Roots = readonly [FieldSet, FieldSet, FieldSet];

/** A visited node below the root: its element, and its set in each output once made. */
interface Node {
  readonly parent: Node | undefined;
  readonly pe: PathElement;
  readonly text: string;
  sets?: [FieldSet?, FieldSet?, FieldSet?];
}

/** The set of `which` that holds the paths below `node` (the root set for the root). */
function setBelow(node: Node | undefined, roots: Roots, which: Which): FieldSet {
  if (!node) return roots[which];
  node.sets ??= [];
  let set = node.sets[which];
  if (!set) {
    set = setBelow(node.parent, roots, which).openChild(node.text, node.pe);
    node.sets[which] = set;
  }
  return set;
}

/** Adds `node`'s path to `which` (the root itself is never a member). */
function mark(node: Node | undefined, roots: Roots, which: Which): void {
  if (node) setBelow(node.parent, roots, which).addMember(node.text, node.pe);
}

function compareAt(
  lhs: unknown,
  rhs: unknown,
  schema: ApplySchema,
  node: Node | undefined,
  roots: Roots,
): void {
  if (lhs === rhs) return; // the same value (or the same shared subtree): nothing changed
  if (lhs === undefined || rhs === undefined) {
    subtree(lhs ?? rhs, schema, node, roots, lhs === undefined ? added : removed);
    return;
  }
  const shape = shapeOf(schema, rhs);
  if (shape !== shapeOf(schema, lhs) || shape === "leaf") {
    if (!deepEqual(lhs, rhs)) mark(node, roots, modified);
    return;
  }
  if (shape === "object" && isJsonObject(lhs) && isJsonObject(rhs)) {
    for (const name in lhs) {
      if (!Object.hasOwn(lhs, name)) continue;
      const r = Object.hasOwn(rhs, name) ? rhs[name] : undefined;
      const pe = { field: name };
      compareAt(
        lhs[name],
        r,
        fieldSchema(schema, name),
        { parent: node, pe, text: `f:${name}` },
        roots,
      );
    }
    for (const name in rhs) {
      if (!Object.hasOwn(rhs, name) || Object.hasOwn(lhs, name)) continue;
      const pe = { field: name };
      compareAt(
        undefined,
        rhs[name],
        fieldSchema(schema, name),
        { parent: node, pe, text: `f:${name}` },
        roots,
      );
    }
    return;
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
    const child = { parent: node, pe: it.element, text: it.text };
    compareAt(left.get(it.text)?.[1], it.item, items, child, roots);
  }
  for (const [text, [pe, item]] of left) {
    if (!seen.has(text)) compareAt(item, undefined, items, { parent: node, pe, text }, roots);
  }
}

/** Every node of `value` (the node itself, fields, list items, leaves) into `which`. */
function subtree(
  value: unknown,
  schema: ApplySchema,
  node: Node | undefined,
  roots: Roots,
  which: Which,
): void {
  mark(node, roots, which);
  const shape = shapeOf(schema, value);
  if (shape === "leaf") return;
  if (shape === "object" && isJsonObject(value)) {
    for (const name in value) {
      if (!Object.hasOwn(value, name)) continue;
      const child = { parent: node, pe: { field: name }, text: `f:${name}` };
      subtree(value[name], fieldSchema(schema, name), child, roots, which);
    }
    return;
  }
  if (!Array.isArray(value)) return;
  const items = itemSchema(schema);
  const seen = new Set<string>();
  for (const it of indexList(schema, value, { allowDuplicates: true })) {
    if (seen.has(it.text)) continue;
    seen.add(it.text);
    subtree(it.item, items, { parent: node, pe: it.element, text: it.text }, roots, which);
  }
}
