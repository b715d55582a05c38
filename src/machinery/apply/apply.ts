/**
 * Server-side apply of one object, as apiserver's `FieldManager.Apply` with its default chain:
 * managed fields decoded from the live object; an object never tracked first credits its fields
 * to "before-first-apply"; the configuration merged and pruned (updater.ts); conflicts with other
 * managers reported (or, with `force`, their ownership taken); for kubectl, conflicts the
 * last-applied annotation explains forgiven and the annotation kept current; the applier's time
 * set when the object changed; meta fields stripped; old update entries capped; entries sorted.
 *
 * Defaulting, validation, admission and storage are the caller's: the result is the object to
 * run them on. The library knows no HTTP and no storage.
 */
import type { ManagedFieldsEntry } from "../managed-fields.ts";
import { deepEqual, type JsonObject } from "../patch/json-value.ts";
import { ApplyConflictError, ApplyError } from "./errors.ts";
import type { FieldSet } from "./field-set.ts";
import {
  allowedConflictsFromLastApplied,
  kubectlApplyManager,
  syncLastApplied,
} from "./last-applied.ts";
import {
  capUpdateManagers,
  decodeManagedFields,
  encodeManagedFields,
  type Managed,
  managerIdentifier,
  stripMeta,
} from "./managers.ts";
import { dropNulls } from "./merge.ts";
import {
  describeObject,
  metadataOf,
  rfc3339,
  setManagedFields,
  withoutManagedFields,
} from "./object.ts";
import type { ApplySchema } from "./schema.ts";
import { TypedValueError, toFieldSet } from "./typed.ts";
import { recordUpdate, zeroObjectFor } from "./update.ts";
import { applyConfig } from "./updater.ts";

export interface ServerSideApplyOptions {
  /** The stored object; undefined when the apply creates it. */
  readonly live: JsonObject | undefined;
  /** The configuration (the PATCH body). */
  readonly applied: JsonObject;
  /** The `fieldManager` query parameter (required for apply). */
  readonly manager: string;
  readonly force?: boolean;
  /** The request's group/version, e.g. "apps/v1". */
  readonly apiVersion: string;
  readonly schema: ApplySchema;
  readonly now: Date;
  readonly subresource?: string;
  /** Fields the resource's strategy resets (status on the main resource): never owned. */
  readonly ignoredFields?: FieldSet;
}

export interface ApplyResult {
  /** The new object, `metadata.managedFields` included. */
  readonly object: JsonObject;
  readonly managedFields: ManagedFieldsEntry[];
}

/** The manager credited with the fields of an object applied to for the first time. */
export const beforeFirstApplyManager = "before-first-apply";

/** Throws `ApplyConflictError` (409) on conflicts and `ApplyError` on malformed input. */
export function serverSideApply(o: ServerSideApplyOptions): ApplyResult {
  checkRequest(o);
  const live = o.live ? withoutManagedFields(o.live) : {};
  typedCheck(o.applied, o, "patch", true);
  typedCheck(live, o, "live", false);
  let managed: Managed;
  try {
    managed = decodeManagedFields(metadataOf(o.live)?.managedFields);
  } catch (err) {
    throw new ApplyError("", `failed to decode managed fields: ${(err as Error).message}`, err);
  }
  const run = (force: boolean) => applyOnce({ ...o, live, managed, force, exists: !!o.live });
  let result = run(o.force ?? false);
  if (!result.ok && o.manager === kubectlApplyManager) {
    const allowed = allowedConflictsFromLastApplied(live, o.schema);
    if (allowed) {
      const remaining = new Map<string, FieldSet>();
      for (const [id, set] of result.conflicts) {
        const left = set.difference(allowed);
        if (!left.empty) remaining.set(id, left);
      }
      result = remaining.size === 0 ? run(true) : { ok: false, conflicts: remaining };
    }
  }
  if (!result.ok) throw new ApplyConflictError(result.conflicts);
  const object = dropNulls(result.object, o.schema) as JsonObject;
  if (o.manager === kubectlApplyManager) syncLastApplied(object, o.applied);
  const managedFields = encodeManagedFields(result.managed);
  setManagedFields(object, managedFields);
  return { object, managedFields };
}

function checkRequest(o: ServerSideApplyOptions): void {
  const managedFields = metadataOf(o.applied)?.managedFields;
  if (managedFields !== undefined && managedFields !== null) {
    throw new ApplyError("BadRequest", "metadata.managedFields must be nil");
  }
  const version = o.applied.apiVersion;
  if (typeof version === "string" && version !== o.apiVersion) {
    throw new ApplyError(
      "BadRequest",
      `Incorrect version specified in apply patch. Specified patch version: ${version}, expected: ${o.apiVersion}`,
    );
  }
}

/** Upstream's typed conversion: the patch may not hold duplicates or undeclared fields. */
function typedCheck(object: JsonObject, o: ServerSideApplyOptions, which: string, strict: boolean) {
  try {
    toFieldSet(object, o.schema, strict);
  } catch (err) {
    if (!(err instanceof TypedValueError)) throw err;
    const what = `failed to create typed ${which} object (${describeObject(object, o.apiVersion)})`;
    throw new ApplyError("", `${what}: ${err.message}`, err);
  }
}

interface ApplyOnce extends ServerSideApplyOptions {
  readonly live: JsonObject;
  readonly managed: Managed;
  readonly force: boolean;
  readonly exists: boolean;
}

type OnceResult =
  | { readonly ok: true; readonly object: unknown; readonly managed: Managed }
  | { readonly ok: false; readonly conflicts: Map<string, FieldSet> };

function applyOnce(o: ApplyOnce): OnceResult {
  const time = rfc3339(o.now);
  let managed = o.managed;
  if (managed.fields.size === 0 && o.exists) {
    managed = recordUpdate({
      managed,
      oldObject: zeroObjectFor(o.live, o.schema),
      newObject: o.live,
      manager: managerIdentifier({
        manager: beforeFirstApplyManager,
        operation: "Update",
        apiVersion: o.apiVersion,
        ...(o.subresource && { subresource: o.subresource }),
      }),
      apiVersion: o.apiVersion,
      schema: o.schema,
      time,
      ignored: o.ignoredFields,
    });
  }
  const manager = managerIdentifier({
    manager: o.manager,
    operation: "Apply",
    ...(o.subresource && { subresource: o.subresource }),
  });
  const result = applyConfig({
    live: o.live,
    config: o.applied,
    fields: managed.fields,
    manager,
    apiVersion: o.apiVersion,
    force: o.force,
    schema: o.schema,
    ignored: o.ignoredFields,
  });
  if (!result.ok) return result;
  const next: Managed = { fields: result.fields, times: new Map(managed.times) };
  if (!deepEqual(o.live, result.object)) next.times.set(manager, time);
  stripMeta(next);
  capUpdateManagers(next);
  return { ok: true, object: result.object, managed: next };
}
