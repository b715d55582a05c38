/**
 * Object-level helpers shared by apply and update: reading and writing
 * `metadata.managedFields`, timestamps, and upstream's object description in error messages.
 */
import type { ManagedFieldsEntry } from "../managed-fields.ts";
import { deepCopy, isJsonObject, type JsonObject } from "../patch/json-value.ts";
import { formatTime } from "../time.ts";

export function metadataOf(object: JsonObject | undefined): JsonObject | undefined {
  const metadata = object?.metadata;
  return isJsonObject(metadata) ? metadata : undefined;
}

/** A copy of `object` without `metadata.managedFields`. */
export function withoutManagedFields(object: JsonObject): JsonObject {
  const copy = deepCopy(object);
  const metadata = metadataOf(copy);
  if (metadata) delete metadata.managedFields;
  return copy;
}

/**
 * `object` without `metadata.managedFields`, sharing everything else with it (only the top level
 * and metadata are new): for reading. Comparing two such views stops at subtrees the versions
 * share, such as the spec a status update carries over.
 */
export function viewWithoutManagedFields(object: JsonObject): JsonObject {
  const metadata = metadataOf(object);
  if (!metadata) return { ...object };
  const { managedFields: _, ...rest } = metadata;
  return { ...object, metadata: rest };
}

/** Sets `metadata.managedFields` in place; an empty list removes the field. */
export function setManagedFields(object: JsonObject, entries: ManagedFieldsEntry[]): void {
  let metadata = metadataOf(object);
  if (entries.length === 0) {
    if (metadata) delete metadata.managedFields;
    return;
  }
  if (!metadata) {
    metadata = {};
    object.metadata = metadata;
  }
  metadata.managedFields = entries;
}

/** RFC 3339 with whole seconds, as `metav1.Time` serializes. */
export function rfc3339(now: Date): string {
  return formatTime(now.getTime());
}

/** Upstream's `objectGVKNN`: `default/web; apps/v1, Kind=Deployment`. */
export function describeObject(object: JsonObject, apiVersion: string): string {
  const metadata = metadataOf(object);
  const str = (v: unknown): string => (typeof v === "string" ? v : "");
  const gv = apiVersion.includes("/") ? apiVersion : `/${apiVersion}`;
  return `${str(metadata?.namespace)}/${str(metadata?.name)}; ${gv}, Kind=${str(object.kind)}`;
}
