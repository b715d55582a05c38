/**
 * Strategic-merge-patch metadata from the schema table: the `PatchMeta` of a kind, built lazily
 * as the patcher walks into fields.
 *
 * Only `x-kubernetes-patch-strategy` and `x-kubernetes-patch-merge-key` matter here, and they sit
 * on the field (the property node), not on the type it refers to. A list without a patch strategy
 * is replaced whole, even when its `x-kubernetes-list-type` is "map": list types are server-side
 * apply metadata.
 */
import type { PatchMeta, PatchValueKind } from "../../machinery/patch/patch-meta.ts";
import {
  builtinSchema,
  type GroupVersionKind,
  type SchemaNode,
  type SchemaTable,
} from "./schema.ts";

export interface PatchMetaOptions {
  /** Defaults to the built-in table. */
  readonly table?: SchemaTable;
}

/** The patch metadata of a kind's top-level object; undefined when the kind has no schema. */
export function patchMetaFor(
  gvk: GroupVersionKind,
  options: PatchMetaOptions = {},
): PatchMeta | undefined {
  const table = options.table ?? builtinSchema();
  const name = table.definitionNameFor(gvk);
  if (name === undefined) return undefined;
  return patchMetaOf({ $ref: name }, table);
}

/** The patch metadata of a schema node (a field, list element or map value). */
export function patchMetaOf(field: SchemaNode, table: SchemaTable): PatchMeta | undefined {
  const resolved = table.deref(field);
  const { node } = resolved;
  let kind: PatchValueKind;
  switch (resolved.shape) {
    case "struct":
      kind = "struct";
      break;
    case "list":
      kind = "list";
      break;
    case "map":
      kind = "map";
      break;
    case "any":
      // Free-form objects (RawExtension, FieldsV1) merge as maps; untyped values are unknown.
      if (node.type !== "object") return undefined;
      kind = "map";
      break;
    default:
      kind = "primitive";
  }
  const strategy = field["x-kubernetes-patch-strategy"];
  const mergeKey = field["x-kubernetes-patch-merge-key"];
  return {
    kind,
    ...(strategy !== undefined && { patchStrategy: strategy }),
    ...(mergeKey !== undefined && { patchMergeKey: mergeKey }),
    field: (name) => {
      const property = kind === "struct" ? node.properties?.[name] : undefined;
      return property === undefined ? undefined : patchMetaOf(property, table);
    },
    elements: () => {
      if (kind === "list") return node.items ? patchMetaOf(node.items, table) : undefined;
      const values = kind === "map" ? node.additionalProperties : undefined;
      return typeof values === "object" ? patchMetaOf(values, table) : undefined;
    },
  };
}
