/**
 * The ownership algebra of structured-merge-diff's `merge.Updater`, over one API version:
 *
 * - `updateOwnership` (upstream `update`): the fields a write changes are taken from every other
 *   manager (or reported as conflicts when `force` is off); removed fields leave every set.
 * - `applyConfig` (upstream `Apply`): merge the configuration, record it as the applier's set,
 *   prune what the applier owned before and no longer applies, then `updateOwnership`.
 *
 * Sets are keyed by manager identity (see managers.ts); results are new maps, inputs unchanged.
 */
import { type Comparison, compareValues } from "./compare.ts";
import { FieldSet } from "./field-set.ts";
import type { VersionedSet } from "./managers.ts";
import { mergeValues } from "./merge.ts";
import { removeItems } from "./remove.ts";
import type { ApplySchema } from "./schema.ts";
import { ensureNamedFieldsAreMembers, toFieldSet } from "./typed.ts";

export type ManagerSets = ReadonlyMap<string, VersionedSet>;

interface Common {
  readonly schema: ApplySchema;
  /** Fields reset by the resource's strategy (status on the main resource): never owned. */
  readonly ignored?: FieldSet | undefined;
}

export type OwnershipResult =
  | {
      readonly ok: true;
      readonly fields: Map<string, VersionedSet>;
      readonly comparison: Comparison;
      /** The fields the write changed (`modified ∪ added`, ignored fields left out). */
      readonly touched: FieldSet;
    }
  | { readonly ok: false; readonly conflicts: Map<string, FieldSet> };

export interface UpdateOwnershipOptions extends Common {
  readonly oldObject: unknown;
  readonly newObject: unknown;
  readonly fields: ManagerSets;
  /** The writing manager's identity; its own set is left alone. */
  readonly workflow: string;
  readonly force: boolean;
}

export function updateOwnership(o: UpdateOwnershipOptions): OwnershipResult {
  let comparison = compareValues(o.oldObject, o.newObject, o.schema);
  if (o.ignored) comparison = excludeFields(comparison, o.ignored);
  const touched = comparison.modified.union(comparison.added);
  if (!o.force) {
    const conflicts = new Map<string, FieldSet>();
    for (const [id, vs] of o.fields) {
      if (id === o.workflow) continue;
      const conflict = vs.set.intersection(touched);
      if (!conflict.empty) conflicts.set(id, conflict);
    }
    if (conflicts.size > 0) return { ok: false, conflicts };
  }
  const fields = new Map<string, VersionedSet>();
  for (const [id, vs] of o.fields) {
    let set = vs.set;
    if (id !== o.workflow) set = set.difference(touched).difference(comparison.removed);
    if (!set.empty) fields.set(id, { ...vs, set });
  }
  return { ok: true, fields, comparison, touched };
}

function excludeFields(c: Comparison, ignored: FieldSet): Comparison {
  return {
    added: c.added.recursiveDifference(ignored),
    removed: c.removed.recursiveDifference(ignored),
    modified: c.modified.recursiveDifference(ignored),
  };
}

export interface ApplyConfigOptions extends Common {
  readonly live: unknown;
  readonly config: unknown;
  readonly fields: ManagerSets;
  readonly manager: string;
  readonly apiVersion: string;
  readonly force: boolean;
}

export type ApplyConfigResult =
  | { readonly ok: true; readonly object: unknown; readonly fields: Map<string, VersionedSet> }
  | { readonly ok: false; readonly conflicts: Map<string, FieldSet> };

export function applyConfig(o: ApplyConfigOptions): ApplyConfigResult {
  const merged = mergeValues(o.live, o.config, o.schema);
  const lastSet = o.fields.get(o.manager)?.set;
  let set = toFieldSet(o.config, o.schema);
  if (o.ignored) set = set.recursiveDifference(o.ignored);
  const fields = new Map(o.fields);
  fields.set(o.manager, { set, apiVersion: o.apiVersion, applied: true });
  const object = lastSet ? prune(merged, fields, lastSet, o.schema) : merged;
  const result = updateOwnership({
    ...o,
    oldObject: o.live,
    newObject: object,
    fields,
    workflow: o.manager,
  });
  return result.ok ? { ok: true, object, fields: result.fields } : result;
}

/**
 * Upstream's `prune`: removes what the applier applied last time and not this time, unless some
 * manager (the applier's new configuration included) owns it; fields outside the last set stay.
 */
function prune(merged: unknown, fields: ManagerSets, lastSet: FieldSet, schema: ApplySchema) {
  if (lastSet.empty) return merged;
  const named = (s: FieldSet) => ensureNamedFieldsAreMembers(s, schema);
  const fieldsOf = (v: unknown) => named(toFieldSet(v, schema));
  const last = named(lastSet);
  let owned = new FieldSet();
  for (const vs of fields.values()) owned = owned.union(vs.set);
  owned = named(owned);
  const mergedSet = fieldsOf(merged);
  // Remove the last set, then add back whatever someone owns…
  const withoutLast = fieldsOf(removeItems(merged, last, schema));
  const unowned = mergedSet.difference(withoutLast.union(owned));
  const pruned = removeItems(merged, unowned, schema);
  // …and remove only what was in the last set (unowned fields applied by no one stay).
  const dangling = mergedSet.difference(fieldsOf(pruned)).intersection(last);
  return removeItems(merged, dangling, schema);
}
