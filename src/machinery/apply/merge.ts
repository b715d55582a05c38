/**
 * Merging an applied configuration into a live object, as structured-merge-diff's
 * `TypedValue.Merge`: the configuration's leaves win; granular structs and maps merge field by
 * field; associative lists merge item by item (by key, or by value for sets); atomic lists and
 * maps are replaced whole. Inputs are not changed and the result shares nothing with them.
 */
import { deepCopy, hasOwn, isJsonObject, type JsonObject, setOwn } from "../patch/json-value.ts";
import { type ApplySchema, fieldSchema, itemSchema, shapeOf } from "./schema.ts";
import { type IndexedItem, indexList } from "./typed.ts";

/** `rhs` merged over `lhs`; `undefined` stands for an absent value. */
export function mergeValues(lhs: unknown, rhs: unknown, schema: ApplySchema): unknown {
  if (rhs === undefined) return deepCopy(lhs);
  if (lhs === undefined) return deepCopy(rhs);
  const shape = shapeOf(schema, rhs);
  if (shape !== shapeOf(schema, lhs) || shape === "leaf") return deepCopy(rhs);
  if (shape === "object") return mergeObjects(lhs as JsonObject, rhs as JsonObject, schema);
  const [l, r] = [lhs as unknown[], rhs as unknown[]];
  // Two empty lists: keep the configuration's (the empty/null distinction survives).
  if (l.length === 0 && r.length === 0) return [];
  return mergeLists(l, r, schema);
}

function mergeObjects(lhs: JsonObject, rhs: JsonObject, schema: ApplySchema): JsonObject {
  const out: JsonObject = {};
  for (const [name, value] of Object.entries(lhs)) {
    const merged = hasOwn(rhs, name)
      ? mergeValues(value, rhs[name], fieldSchema(schema, name))
      : deepCopy(value);
    setOwn(out, name, merged);
  }
  for (const [name, value] of Object.entries(rhs)) {
    if (!hasOwn(lhs, name)) setOwn(out, name, deepCopy(value));
  }
  return out;
}

function firstByText(items: readonly IndexedItem[]): Map<string, IndexedItem> {
  const out = new Map<string, IndexedItem>();
  for (const it of items) if (!out.has(it.text)) out.set(it.text, it);
  return out;
}

/**
 * Items of both lists, in upstream's order: the configuration's items in its order, live-only
 * items kept where they were relative to their neighbours, shared items merged in place.
 */
function mergeLists(lhs: unknown[], rhs: unknown[], schema: ApplySchema): unknown[] {
  const items = itemSchema(schema);
  const left = indexList(schema, lhs, { allowDuplicates: true });
  const right = indexList(schema, rhs, { allowDuplicates: true });
  const leftByText = firstByText(left);
  const rightByText = firstByText(right);
  const shared = right.filter((r) => leftByText.has(r.text)).map((r) => r.text);
  let nextShared = 0;
  const done = new Set<string>();
  const out: unknown[] = [];
  const takeRight = (r: IndexedItem): void => {
    done.add(r.text);
    out.push(mergeValues(leftByText.get(r.text)?.item, rightByText.get(r.text)?.item, items));
  };
  let l = 0;
  let r = 0;
  while (l < left.length || r < right.length) {
    const li = left[l];
    const ri = right[r];
    if (li && ri) {
      if (li.text === ri.text) {
        takeRight(ri);
        l++;
        r++;
        nextShared++;
        continue;
      }
      // A shared item met out of the configuration's order: it is placed when the
      // configuration reaches it.
      const next = shared[nextShared];
      if (rightByText.has(li.text) && next !== undefined && next !== li.text) {
        l++;
        continue;
      }
    }
    if (li && !rightByText.has(li.text)) {
      out.push(deepCopy(li.item));
      l++;
      continue;
    }
    if (li && done.has(li.text)) {
      l++;
      continue;
    }
    if (ri) {
      takeRight(ri);
      r++;
      if (shared[nextShared] === ri.text) nextShared++;
    }
  }
  return out;
}

/**
 * Drops fields set to null, as decoding into typed objects does; free-form (untyped) values
 * keep theirs, and atomic values are left as they are.
 */
export function dropNulls(value: unknown, schema: ApplySchema): unknown {
  const shape = shapeOf(schema, value);
  if (shape === "list") {
    return (value as unknown[]).map((item) => dropNulls(item, itemSchema(schema)));
  }
  if (shape === "leaf" || !isJsonObject(value)) return value;
  const out: JsonObject = {};
  for (const [name, v] of Object.entries(value)) {
    const child = fieldSchema(schema, name);
    if (v === null && child.kind !== "untyped") continue;
    setOwn(out, name, dropNulls(v, child));
  }
  return out;
}
