/**
 * What strategic merge patch needs to know about the object it patches: for each field, whether
 * it is a struct, a map, a list or a plain value, and for lists the patch strategy and merge key
 * (`x-kubernetes-patch-strategy`, `x-kubernetes-patch-merge-key` in the OpenAPI document).
 *
 * The API schema (src/api/) builds these from the generated tables; tests build them by hand.
 * A field the schema does not know has no meta (`field()` returns undefined): SMP then treats an
 * object value as a map merged recursively and any other value (lists included) as replaced whole.
 */
export type PatchValueKind = "struct" | "map" | "list" | "primitive";

export interface PatchMeta {
  readonly kind: PatchValueKind;
  /**
   * The field's strategy: on lists "merge" (by key, or set-merge for primitives), absent = replace;
   * "retainKeys" (on structs such as volume sources, or with "merge" on lists) clears unlisted fields.
   */
  readonly patchStrategy?: string;
  /** For lists of objects merged by key, e.g. "name" for containers, "containerPort" for ports. */
  readonly patchMergeKey?: string;
  /** For structs: the meta of a named field. */
  field(name: string): PatchMeta | undefined;
  /** For lists and maps: the meta of the elements / values. */
  elements(): PatchMeta | undefined;
}
