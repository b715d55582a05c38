/**
 * Server-side apply schemas from the schema table: the `ApplySchema` of a kind (see
 * src/machinery/apply/schema.ts), built lazily as the merge walks into fields, following
 * kube-openapi's conversion to structured-merge-diff schemas:
 *
 * - objects with `properties` are structs; `additionalProperties` makes a map; both are granular
 *   unless `x-kubernetes-map-type: atomic` (on the field, else on the definition it refers to);
 * - arrays use `x-kubernetes-list-type` (with `x-kubernetes-list-map-keys`); an array without one
 *   falls back to its patch strategy (merge + merge key → map, merge alone → set), else atomic;
 * - free-form objects (RawExtension, FieldsV1, preserve-unknown-fields) are untyped; primitives,
 *   int-or-string and quantities are scalars.
 *
 * Key defaults: the table carries no `default`s, so the one upstream publishes for list-map keys
 * (`protocol: TCP` on container and service ports) is listed here.
 */
import type { ApplySchema, ListType } from "../../machinery/apply/schema.ts";
import { untypedSchema } from "../../machinery/apply/schema.ts";
import {
  builtinSchema,
  type GroupVersionKind,
  type SchemaNode,
  type SchemaTable,
} from "./schema.ts";

export interface ApplySchemaOptions {
  /** Defaults to the built-in table. */
  readonly table?: SchemaTable;
}

const keyDefaults: Readonly<Record<string, Readonly<Record<string, unknown>>>> = {
  "io.k8s.api.core.v1.ContainerPort": { protocol: "TCP" },
  "io.k8s.api.core.v1.ServicePort": { protocol: "TCP" },
};

const scalarSchema: ApplySchema = {
  kind: "scalar",
  field: () => undefined,
  elements: () => undefined,
};

/** The apply schema of a kind's top-level object; undefined when the kind has no schema. */
export function applySchemaFor(
  gvk: GroupVersionKind,
  options: ApplySchemaOptions = {},
): ApplySchema | undefined {
  const table = options.table ?? builtinSchema();
  const name = table.definitionNameFor(gvk);
  if (name === undefined) return undefined;
  return applySchemaOf({ $ref: name }, table);
}

const cache = new WeakMap<SchemaTable, WeakMap<SchemaNode, ApplySchema>>();

/** The apply schema of a schema node (a field, list item or map value). */
export function applySchemaOf(field: SchemaNode, table: SchemaTable): ApplySchema {
  let byNode = cache.get(table);
  if (!byNode) {
    byNode = new WeakMap();
    cache.set(table, byNode);
  }
  let schema = byNode.get(field);
  if (!schema) {
    schema = build(field, table);
    byNode.set(field, schema);
  }
  return schema;
}

function build(field: SchemaNode, table: SchemaTable): ApplySchema {
  const resolved = table.deref(field);
  const { node } = resolved;
  const atomic = (field["x-kubernetes-map-type"] ?? node["x-kubernetes-map-type"]) === "atomic";
  const valuesOf = (values: SchemaNode | boolean | undefined): ApplySchema | undefined =>
    typeof values === "object" ? applySchemaOf(values, table) : undefined;
  switch (resolved.shape) {
    case "struct":
      return {
        kind: "struct",
        ...(atomic && { atomic }),
        field: (name) => {
          const property = Object.hasOwn(node.properties ?? {}, name)
            ? node.properties?.[name]
            : undefined;
          return property && applySchemaOf(property, table);
        },
        elements: () =>
          valuesOf(node.additionalProperties) ??
          (node["x-kubernetes-preserve-unknown-fields"] ? untypedSchema : undefined),
      };
    case "map":
      return {
        kind: "map",
        ...(atomic && { atomic }),
        field: () => undefined,
        elements: () => valuesOf(node.additionalProperties) ?? untypedSchema,
      };
    case "list":
      return listSchema(field, node, table);
    case "any":
      return untypedSchema;
    default:
      return scalarSchema;
  }
}

function listSchema(field: SchemaNode, node: SchemaNode, table: SchemaTable): ApplySchema {
  const { listType, keys } = listTypeOf(field.$ref === undefined ? field : node);
  const items = node.items;
  const defaults = items ? keyDefaults[table.deref(items).name ?? ""] : undefined;
  return {
    kind: "list",
    listType,
    ...(keys && { listMapKeys: keys }),
    ...(defaults && { keyDefaults: defaults }),
    field: () => undefined,
    elements: () => (items ? applySchemaOf(items, table) : untypedSchema),
  };
}

/** kube-openapi's `getListElementRelationship`. */
function listTypeOf(node: SchemaNode): { listType: ListType; keys?: readonly string[] } {
  const type = node["x-kubernetes-list-type"];
  const keys = node["x-kubernetes-list-map-keys"];
  if (type === "set") return { listType: "set" };
  if (type === "map") return keys?.length ? { listType: "map", keys } : { listType: "atomic" };
  if (type !== undefined) return { listType: "atomic" };
  const strategies = (node["x-kubernetes-patch-strategy"] ?? "").split(",");
  if (!strategies.includes("merge")) return { listType: "atomic" };
  const mergeKey = node["x-kubernetes-patch-merge-key"];
  return mergeKey ? { listType: "map", keys: [mergeKey] } : { listType: "set" };
}
