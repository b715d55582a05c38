/**
 * What server-side apply needs to know about an object's structure: structured-merge-diff's
 * schema atoms reduced to one small interface. The API schema (src/api/schema/apply-schema.ts)
 * builds these for built-in kinds; custom resources will build them from a CRD's schema; tests
 * build them by hand.
 *
 * - "struct": declared fields (`field(name)`); undeclared fields use `elements()`, as upstream
 *   does for `x-kubernetes-preserve-unknown-fields`. Without `elements()` an applied
 *   configuration may not hold undeclared fields ("field not declared in schema"); live objects
 *   may, and they are read as untyped.
 * - "map": every key uses `elements()`; granular unless `atomic`.
 * - "list": `listType` "atomic" (the default), "set" (scalar items, `v:` path elements) or "map"
 *   (items keyed by `listMapKeys`, `k:` path elements; `keyDefaults` fill absent key fields).
 * - "scalar": strings, numbers, booleans, int-or-string, quantities, timestamps.
 * - "untyped": free-form values (upstream's `__untyped_deduced_`): objects are granular maps of
 *   untyped values, lists are atomic, anything else is a scalar.
 */
import { isJsonObject } from "../patch/json-value.ts";

export type ApplyNodeKind = "struct" | "map" | "list" | "scalar" | "untyped";

export type ListType = "atomic" | "set" | "map";

export interface ApplySchema {
  readonly kind: ApplyNodeKind;
  /** Structs and maps with `x-kubernetes-map-type: atomic`: replaced whole, owned as one field. */
  readonly atomic?: boolean;
  /** Lists only; absent means "atomic". */
  readonly listType?: ListType;
  /** For `listType: "map"`: the fields that identify an item (`x-kubernetes-list-map-keys`). */
  readonly listMapKeys?: readonly string[];
  /** For `listType: "map"`: values of key fields an item may omit (`protocol: TCP`). */
  readonly keyDefaults?: Readonly<Record<string, unknown>>;
  /** Structs: the schema of a declared field, undefined when the field is not declared. */
  field(name: string): ApplySchema | undefined;
  /** List items, map values (undefined = untyped) and a struct's undeclared fields. */
  elements(): ApplySchema | undefined;
}

/** The schema of free-form values. */
export const untypedSchema: ApplySchema = {
  kind: "untyped",
  field: () => undefined,
  elements: () => untypedSchema,
};

/** How a value is walked: as a leaf (compared whole), a granular object or an associative list. */
export type Shape = "leaf" | "object" | "list";

/** The shape of `value` under `schema`; values that do not fit the schema are leaves. */
export function shapeOf(schema: ApplySchema, value: unknown): Shape {
  switch (schema.kind) {
    case "struct":
    case "map":
      return isJsonObject(value) && !schema.atomic ? "object" : "leaf";
    case "list": {
      const type = schema.listType ?? "atomic";
      return Array.isArray(value) && type !== "atomic" ? "list" : "leaf";
    }
    case "untyped":
      return isJsonObject(value) ? "object" : "leaf";
    default:
      return "leaf";
  }
}

/** The schema of an object's field (declared, or the element schema, or untyped). */
export function fieldSchema(schema: ApplySchema, name: string): ApplySchema {
  return schema.field(name) ?? schema.elements() ?? untypedSchema;
}

/** True for a struct's declared field: upstream's "named field", owned only through its leaves. */
export function isNamedField(schema: ApplySchema, name: string): boolean {
  return schema.kind === "struct" && schema.field(name) !== undefined;
}

/** The schema of list items. */
export function itemSchema(schema: ApplySchema): ApplySchema {
  return schema.elements() ?? untypedSchema;
}
