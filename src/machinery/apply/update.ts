/**
 * Field ownership for writes that are not applies (create, update, patch), as apiserver's
 * `FieldManager.UpdateNoErrors`: the fields a write changes (every field on create) join the
 * writer's `Update` entry (one per manager, API version and subresource) and leave every other
 * manager's set; fields it removes leave every set.
 *
 * A request may rewrite `metadata.managedFields` itself (kubectl does, to move client-side apply
 * fields into its server-side apply entry); a non-empty, valid list in the new object is taken as
 * the starting point, otherwise the live object's. Objects that exist without managed fields
 * stay untracked, and an object the schema cannot read is stored without managed fields, both
 * as upstream.
 */
import type { ManagedFieldsEntry } from "../managed-fields.ts";
import { deepCopy, isJsonObject, type JsonObject, setOwn } from "../patch/json-value.ts";
import type { FieldSet } from "./field-set.ts";
import {
  capUpdateManagers,
  decodeManagedFields,
  emptyManaged,
  encodeManagedFields,
  type Managed,
  managerIdentifier,
  stripMeta,
} from "./managers.ts";
import { metadataOf, rfc3339, setManagedFields, viewWithoutManagedFields } from "./object.ts";
import type { ApplySchema } from "./schema.ts";
import { TypedValueError } from "./typed.ts";
import { updateOwnership } from "./updater.ts";

/**
 * What a new object is compared with on create: upstream compares with the kind's Go zero
 * value, in which structs held by value (`metadata`, `spec`, `template`, `strategy`…) exist as
 * empty objects and so are not "added" themselves. Pointer-ness is not in the schema; this
 * approximation keeps every non-empty, non-atomic struct reached through struct fields.
 */
export function zeroObjectFor(value: unknown, schema: ApplySchema): JsonObject {
  const out: JsonObject = {};
  if (!isJsonObject(value) || schema.kind !== "struct") return out;
  for (const [name, child] of Object.entries(value)) {
    const childSchema = schema.field(name);
    if (childSchema?.kind !== "struct" || childSchema.atomic) continue;
    if (!isJsonObject(child) || Object.keys(child).length === 0) continue;
    setOwn(out, name, zeroObjectFor(child, childSchema));
  }
  return out;
}

/** Upstream's `managerOrUserAgent`: the fieldManager, else the User-Agent up to its first "/". */
export function managerOrUserAgent(fieldManager: string | undefined, userAgent = ""): string {
  if (fieldManager) return fieldManager;
  return userAgent.split("/")[0] ?? "";
}

export interface RecordUpdateOptions {
  readonly managed: Managed;
  readonly oldObject: unknown;
  readonly newObject: unknown;
  /** The writer's identity (`managerIdentifier`). */
  readonly manager: string;
  readonly apiVersion: string;
  readonly schema: ApplySchema;
  /** RFC 3339. */
  readonly time: string;
  readonly ignored?: FieldSet | undefined;
}

/** The writer's changes recorded, meta fields stripped, old update entries capped. */
export function recordUpdate(o: RecordUpdateOptions): Managed {
  const self = "current-operation";
  const result = updateOwnership({
    ...o,
    fields: o.managed.fields,
    workflow: self,
    force: true,
  });
  if (!result.ok) throw new Error("unreachable: forced update reported conflicts");
  // The comparison already leaves the ignored fields out.
  const changed = result.touched;
  const fields = result.fields;
  if (!changed.empty) fields.set(self, { set: changed, apiVersion: o.apiVersion, applied: false });
  const managed: Managed = { fields, times: new Map(o.managed.times) };
  stripMeta(managed);
  const mine = fields.get(self);
  if (mine) {
    fields.delete(self);
    const previous = fields.get(o.manager);
    fields.set(o.manager, { ...mine, set: previous ? mine.set.union(previous.set) : mine.set });
    managed.times.set(o.manager, o.time);
  }
  capUpdateManagers(managed);
  return managed;
}

export interface UpdateManagedFieldsOptions {
  /** The stored object; undefined on create. */
  readonly old: JsonObject | undefined;
  /** The object about to be stored. */
  readonly updated: JsonObject;
  readonly manager: string;
  readonly operation?: "Update";
  /** The request's group/version, e.g. "apps/v1". */
  readonly apiVersion: string;
  readonly schema: ApplySchema;
  readonly now: Date;
  readonly subresource?: string;
  readonly ignoredFields?: FieldSet;
}

export interface ManagedFieldsResult {
  /** The object with its new `metadata.managedFields` (absent when there are none). */
  readonly object: JsonObject;
  readonly managedFields: ManagedFieldsEntry[];
}

export function updateManagedFields(o: UpdateManagedFieldsOptions): ManagedFieldsResult {
  // Read-only views: the comparison below skips what old and new share.
  const newObject = viewWithoutManagedFields(o.updated);
  const untracked = { object: newObject, managedFields: [] };
  const created = createdSetKey(o, newObject);
  if (created) {
    const known = createdSetsOf(o.schema).get(created);
    if (known !== undefined) {
      const managedFields: ManagedFieldsEntry[] =
        known === null
          ? []
          : [
              {
                manager: o.manager,
                operation: "Update",
                apiVersion: o.apiVersion,
                time: rfc3339(o.now),
                fieldsType: "FieldsV1",
                fieldsV1: deepCopy(known),
              },
            ];
      setManagedFields(newObject, managedFields);
      return { object: newObject, managedFields };
    }
  }
  const managed = startingPoint(o);
  if (managed.fields.size === 0 && o.old !== undefined) return untracked;
  const oldObject = o.old ? viewWithoutManagedFields(o.old) : zeroObjectFor(newObject, o.schema);
  const manager = managerIdentifier({
    manager: o.manager,
    operation: "Update",
    apiVersion: o.apiVersion,
    ...(o.subresource && { subresource: o.subresource }),
  });
  let next: Managed;
  try {
    // The comparison walks both objects whole, so an object that is not a valid typed value
    // (a keyed list item without its key) fails here, and stays untracked, as upstream.
    next = recordUpdate({
      managed,
      oldObject,
      newObject,
      manager,
      apiVersion: o.apiVersion,
      schema: o.schema,
      time: rfc3339(o.now),
      ignored: o.ignoredFields,
    });
  } catch (err) {
    if (err instanceof TypedValueError) return untracked;
    throw err;
  }
  const managedFields = encodeManagedFields(next);
  if (created && managedFields.length <= 1) {
    const sets = createdSetsOf(o.schema);
    if (sets.size >= createdSetsMax) sets.delete(sets.keys().next().value!);
    const fieldsV1 = managedFields[0]?.fieldsV1;
    sets.set(created, fieldsV1 === undefined ? null : (deepCopy(fieldsV1) as JsonObject));
  }
  setManagedFields(newObject, managedFields);
  return { object: newObject, managedFields };
}

/**
 * The fields a create records, by the new object's shape. On create every field present is the
 * writer's, so the set depends only on which fields are there, never on their values — except
 * inside lists, whose items' keys and values name them: the shape keeps lists whole. The pods of
 * one ReplicaSet, the events of one kind share a shape; their sets were built and encoded again
 * for each (the largest part of a pod create on the API thread).
 */
const createdSets = new WeakMap<ApplySchema, Map<string, JsonObject | null>>();
const createdSetsMax = 256;

function createdSetsOf(schema: ApplySchema): Map<string, JsonObject | null> {
  let sets = createdSets.get(schema);
  if (!sets) {
    sets = new Map();
    createdSets.set(schema, sets);
  }
  return sets;
}

/** The cache key of a create without managed fields of its own; undefined for other writes. */
function createdSetKey(o: UpdateManagedFieldsOptions, newObject: JsonObject): string | undefined {
  if (o.old !== undefined || o.subresource) return undefined;
  const requested = metadataOf(o.updated)?.managedFields;
  if (Array.isArray(requested) ? requested.length > 0 : requested !== undefined) return undefined;
  const ignored = o.ignoredFields ? JSON.stringify(o.ignoredFields.toFieldsV1()) : "";
  return `${o.manager}\n${o.apiVersion}\n${ignored}\n${shapeOf(newObject)}`;
}

/** Object keys and the kinds of scalars; lists as their whole JSON. */
function shapeOf(value: unknown): string {
  if (value === null) return "z";
  if (Array.isArray(value)) return JSON.stringify(value);
  if (typeof value !== "object") return (typeof value)[0]!;
  let out = "{";
  const object = value as Record<string, unknown>;
  for (const key in object) out += `${JSON.stringify(key)}:${shapeOf(object[key])},`;
  return `${out}}`;
}

/** The request's managed fields when usable (never for subresources), else the live ones. */
function startingPoint(o: UpdateManagedFieldsOptions): Managed {
  if (!o.subresource) {
    try {
      const fromRequest = decodeManagedFields(metadataOf(o.updated)?.managedFields);
      if (fromRequest.fields.size > 0) return fromRequest;
    } catch {
      // fall back to the live object's
    }
  }
  try {
    return decodeManagedFields(metadataOf(o.old)?.managedFields);
  } catch {
    return emptyManaged();
  }
}
