/**
 * `metadata.managedFields` decoded into field sets keyed by manager identity, and encoded back,
 * as apiserver's fieldmanager does (`DecodeManagedFields`, `BuildManagerIdentifier`,
 * `encodeManagedFields` and its sort, the cap on update managers, the stripped meta fields).
 *
 * A manager's identity is the JSON of its entry without fields and time; appliers' identity
 * leaves out the API version too, so one manager applying through two versions stays one entry.
 */
import type { ManagedFieldsEntry } from "../managed-fields.ts";
import { isJsonObject } from "../patch/json-value.ts";
import { FieldSet } from "./field-set.ts";
import { compareStrings, goJsonString } from "./go-json.ts";

export type Operation = "Apply" | "Update";

export interface ManagerInfo {
  readonly manager: string;
  readonly operation: Operation;
  readonly apiVersion?: string;
  readonly subresource?: string;
}

export interface VersionedSet {
  readonly set: FieldSet;
  readonly apiVersion: string;
  readonly applied: boolean;
}

/** Field sets and last-change times, both keyed by manager identity. */
export interface Managed {
  readonly fields: Map<string, VersionedSet>;
  readonly times: Map<string, string>;
}

export const emptyManaged = (): Managed => ({ fields: new Map(), times: new Map() });

/** Upstream's `BuildManagerIdentifier`: `{"manager":"kubectl","operation":"Apply"}`. */
export function managerIdentifier(info: ManagerInfo): string {
  const parts = [`"manager":${goJsonString(info.manager)}`];
  parts.push(`"operation":${goJsonString(info.operation)}`);
  if (info.operation !== "Apply" && info.apiVersion) {
    parts.push(`"apiVersion":${goJsonString(info.apiVersion)}`);
  }
  if (info.subresource) parts.push(`"subresource":${goJsonString(info.subresource)}`);
  return `{${parts.join(",")}}`;
}

export function parseIdentifier(id: string): ManagerInfo {
  const e = JSON.parse(id) as ManagedFieldsEntry;
  return {
    manager: e.manager ?? "",
    operation: e.operation === "Apply" ? "Apply" : "Update",
    ...(e.apiVersion && { apiVersion: e.apiVersion }),
    ...(e.subresource && { subresource: e.subresource }),
  };
}

/** Decodes `metadata.managedFields`; throws an Error with upstream's text on a bad entry. */
export function decodeManagedFields(entries: unknown): Managed {
  const out = emptyManaged();
  if (entries === undefined || entries === null) return out;
  if (!Array.isArray(entries)) throw new Error("managedFields must be a list");
  entries.forEach((raw: unknown, i) => {
    if (!isJsonObject(raw)) throw new Error(`invalid managed fields entry ${i}`);
    const e = raw as ManagedFieldsEntry;
    if (e.operation !== "Apply" && e.operation !== "Update") {
      throw new Error("operation must be `Apply` or `Update`");
    }
    if (!e.apiVersion) throw new Error("apiVersion must not be empty");
    if (!e.fieldsType) throw new Error(`missing fieldsType in managed fields entry ${i}`);
    if (e.fieldsType !== "FieldsV1") {
      throw new Error(
        `invalid fieldsType ${JSON.stringify(e.fieldsType)} in managed fields entry ${i}`,
      );
    }
    const info: ManagerInfo = {
      manager: e.manager ?? "",
      operation: e.operation,
      apiVersion: e.apiVersion,
      ...(e.subresource && { subresource: e.subresource }),
    };
    const id = managerIdentifier(info);
    const set = e.fieldsV1 === undefined ? new FieldSet() : decodeFieldsV1(e.fieldsV1);
    out.fields.set(id, { set, apiVersion: e.apiVersion, applied: e.operation === "Apply" });
    if (e.time) out.times.set(id, e.time);
    else out.times.delete(id);
  });
  return out;
}

/**
 * Sets read from `fieldsV1`, by its text: the objects a controller makes from one template, and
 * every version of one object, carry the same sets again and again. Shared, so frozen.
 */
const decodedSets = new Map<string, FieldSet>();
const decodedSetsMax = 1024;

function decodeFieldsV1(fieldsV1: unknown): FieldSet {
  const text = JSON.stringify(fieldsV1);
  let set = decodedSets.get(text);
  if (set) {
    decodedSets.delete(text);
  } else {
    set = FieldSet.fromFieldsV1(fieldsV1).freeze();
    if (decodedSets.size >= decodedSetsMax) decodedSets.delete(decodedSets.keys().next().value!);
  }
  decodedSets.set(text, set);
  return set;
}

const unixSeconds = (time: string | undefined): number =>
  time === undefined ? 0 : Math.floor(Date.parse(time) / 1000) || 0;

/** Entries in upstream's order: Apply before Update, then time, manager, version, subresource. */
export function encodeManagedFields(managed: Managed): ManagedFieldsEntry[] {
  const entries: ManagedFieldsEntry[] = [];
  for (const [id, vs] of managed.fields) {
    const info = parseIdentifier(id);
    const entry: ManagedFieldsEntry = {
      manager: info.manager,
      operation: vs.applied ? "Apply" : "Update",
      apiVersion: vs.apiVersion,
    };
    const time = managed.times.get(id);
    if (time !== undefined) entry.time = time;
    entry.fieldsType = "FieldsV1";
    entry.fieldsV1 = vs.set.toFieldsV1();
    if (info.subresource) entry.subresource = info.subresource;
    entries.push(entry);
  }
  return entries.sort(
    (p, q) =>
      compareStrings(p.operation ?? "", q.operation ?? "") ||
      unixSeconds(p.time) - unixSeconds(q.time) ||
      compareStrings(p.manager ?? "", q.manager ?? "") ||
      compareStrings(p.apiVersion ?? "", q.apiVersion ?? "") ||
      compareStrings(p.subresource ?? "", q.subresource ?? ""),
  );
}

/** The fields no manager is credited with: identity and bookkeeping of the object itself. */
const strippedFields = FieldSet.of(
  [{ field: "apiVersion" }],
  [{ field: "kind" }],
  [{ field: "metadata" }],
  ...["name", "namespace", "creationTimestamp", "selfLink", "uid", "clusterName"]
    .concat(["generation", "managedFields", "resourceVersion"])
    .map((f) => [{ field: "metadata" }, { field: f }]),
);

/** Upstream's stripMetaManager: drops those fields from every set, then empty sets. */
export function stripMeta(managed: Managed): void {
  for (const [id, vs] of managed.fields) {
    const set = vs.set.difference(strippedFields);
    if (set.empty) managed.fields.delete(id);
    else managed.fields.set(id, { ...vs, set });
  }
}

export const maxUpdateManagers = 10;
export const oldUpdatesManagerName = "ancient-changes";

/**
 * Upstream's capManagersManager: with more than ten Update entries, the oldest are merged, per
 * API version, into an "ancient-changes" entry until ten remain.
 */
export function capUpdateManagers(managed: Managed, max = maxUpdateManagers): void {
  const updaters = [...managed.fields].filter(([, vs]) => !vs.applied).map(([id]) => id);
  if (updaters.length <= max) return;
  updaters.sort(
    (a, b) =>
      unixSeconds(managed.times.get(a)) - unixSeconds(managed.times.get(b)) || compareStrings(a, b),
  );
  const firstByVersion = new Map<string, string>();
  let length = updaters.length;
  for (const id of updaters) {
    if (length <= max) break;
    const vs = managed.fields.get(id)!;
    const bucket = managerIdentifier({
      manager: oldUpdatesManagerName,
      operation: "Update",
      apiVersion: vs.apiVersion,
    });
    const first = firstByVersion.get(vs.apiVersion);
    if (first === undefined) {
      firstByVersion.set(vs.apiVersion, id);
      continue;
    }
    if (!managed.fields.has(bucket)) {
      managed.fields.set(bucket, managed.fields.get(first)!);
      managed.fields.delete(first);
    }
    const merged = vs.set.union(managed.fields.get(bucket)!.set);
    managed.fields.set(bucket, { ...vs, set: merged });
    managed.fields.delete(id);
    length--;
    const time = managed.times.get(id);
    if (time !== undefined) managed.times.set(bucket, time);
    else managed.times.delete(bucket);
  }
}
