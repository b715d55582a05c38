/**
 * metadata.managedFields bookkeeping for every write that is not an apply: the fields a request
 * changed become owned by its field manager (operation Update), as upstream's field manager does.
 */
import type { KubeObject } from "../../api/object.ts";
import type { ResourceDefinition } from "../../api/resource.ts";
import { applySchemaFor } from "../../api/schema/apply-schema.ts";
import { FieldSet } from "../../machinery/apply/field-set.ts";
import type { ApplySchema } from "../../machinery/apply/schema.ts";
import { updateManagedFields } from "../../machinery/apply/update.ts";
import type { JsonObject } from "../../machinery/patch/json-value.ts";

const schemas = new WeakMap<ResourceDefinition, ApplySchema | null>();

export function applySchemaOf(def: ResourceDefinition): ApplySchema | undefined {
  let schema = schemas.get(def);
  if (schema === undefined) {
    schema = (def.applySchema ? def.applySchema() : applySchemaFor(def)) ?? null;
    schemas.set(def, schema);
  }
  return schema ?? undefined;
}

/** The fields a main-resource write never owns (the status, reset by the strategy). */
export function ignoredFieldsOf(
  def: ResourceDefinition,
  subresource: string,
): FieldSet | undefined {
  if (!def.subresources?.includes("status")) return undefined;
  return subresource === "status" ? undefined : FieldSet.of([{ field: "status" }]);
}

export function apiVersionOfDef(def: ResourceDefinition): string {
  return def.group ? `${def.group}/${def.version}` : def.version;
}

/** Records `manager`'s ownership of what changed from `old` to `obj` (in place). */
export function trackUpdate(
  def: ResourceDefinition,
  old: KubeObject | undefined,
  obj: KubeObject,
  options: { manager: string; now: number; subresource: string },
): void {
  const schema = applySchemaOf(def);
  if (!schema) return;
  const ignored = ignoredFieldsOf(def, options.subresource);
  const result = updateManagedFields({
    old: old as JsonObject | undefined,
    updated: obj as JsonObject,
    manager: options.manager,
    apiVersion: apiVersionOfDef(def),
    schema,
    now: new Date(options.now),
    ...(options.subresource ? { subresource: options.subresource } : {}),
    ...(ignored ? { ignoredFields: ignored } : {}),
  });
  obj.metadata ??= {};
  const meta = obj.metadata;
  const managed = result.managedFields;
  if (managed.length > 0) meta.managedFields = managed as never;
  else delete meta.managedFields;
}
