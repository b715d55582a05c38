/**
 * Removing fields from a value, as structured-merge-diff's `TypedValue.RemoveItems`: a member of
 * the set removes the field or list item with everything below it; children descend. Atomic
 * values cannot lose parts. The input is not changed.
 */
import { deepCopy, isJsonObject, type JsonObject, setOwn } from "../patch/json-value.ts";
import type { FieldSet } from "./field-set.ts";
import { type ApplySchema, fieldSchema, itemSchema, shapeOf } from "./schema.ts";
import { indexList } from "./typed.ts";

/**
 * `value` without the paths in `set`. Unlike upstream, a granular map or list that loses every
 * entry this way stays as an empty map or list (upstream keeps it unchanged, a corner case of
 * its remover that no caller relies on).
 */
export function removeItems(value: unknown, set: FieldSet, schema: ApplySchema): unknown {
  if (set.empty) return deepCopy(value);
  const shape = shapeOf(schema, value);
  if (shape === "object" && isJsonObject(value)) {
    const out: JsonObject = {};
    for (const [name, v] of Object.entries(value)) {
      const pe = { field: name };
      if (set.hasMember(pe)) continue;
      const below = set.child(pe);
      setOwn(out, name, below ? removeItems(v, below, fieldSchema(schema, name)) : deepCopy(v));
    }
    return out;
  }
  if (shape === "list" && Array.isArray(value)) {
    const out: unknown[] = [];
    for (const { element, item } of indexList(schema, value, { allowDuplicates: true })) {
      if (set.hasMember(element)) continue;
      const below = set.child(element);
      out.push(below ? removeItems(item, below, itemSchema(schema)) : deepCopy(item));
    }
    return out;
  }
  return deepCopy(value);
}
