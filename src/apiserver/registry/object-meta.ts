/**
 * The object-meta bookkeeping every write shares (upstream `rest.BeforeCreate` and
 * `rest.BeforeUpdate`): system fields on create, what an update may not change, generation.
 */
import { randomInt, randomUUID } from "node:crypto";
import type { KubeObject } from "../../api/object.ts";
import { deepEqual } from "../../machinery/patch/json-value.ts";
import { formatTime } from "../../machinery/time.ts";

const suffixAlphabet = "bcdfghjklmnpqrstvwxz2456789";

/** The random 5-character suffix upstream appends to `generateName`. */
export function nameSuffix(): string {
  let s = "";
  for (let i = 0; i < 5; i++) s += suffixAlphabet[randomInt(suffixAlphabet.length)];
  return s;
}

export interface CreateFields {
  readonly now: number;
  readonly tracksGeneration: boolean;
}

/**
 * Sets uid (unless prepareForCreate chose one: Jobs put theirs in labels), creationTimestamp,
 * generation and the generated name; clears deletion fields.
 */
export function fillCreateFields(obj: KubeObject, fields: CreateFields): void {
  obj.metadata ??= {};
  const meta = obj.metadata;
  if (!meta.name && meta.generateName) meta.name = meta.generateName + nameSuffix();
  meta.uid ??= randomUUID();
  meta.creationTimestamp = formatTime(fields.now);
  delete meta.deletionTimestamp;
  delete meta.deletionGracePeriodSeconds;
  delete meta.selfLink;
  if (fields.tracksGeneration) meta.generation = 1;
  else delete meta.generation;
}

/** Keeps what an update may not change from the stored object. */
export function carryOverOnUpdate(obj: KubeObject, old: KubeObject, tracksGeneration: boolean) {
  obj.metadata ??= {};
  const meta = obj.metadata;
  const oldMeta = old.metadata ?? {};
  if (!meta.uid && oldMeta.uid) meta.uid = oldMeta.uid;
  setOrDelete(meta, "creationTimestamp", oldMeta.creationTimestamp);
  setOrDelete(meta, "deletionTimestamp", oldMeta.deletionTimestamp);
  setOrDelete(meta, "deletionGracePeriodSeconds", oldMeta.deletionGracePeriodSeconds);
  delete meta.selfLink;
  if (tracksGeneration) {
    const generation = oldMeta.generation ?? 1;
    meta.generation = specChanged(obj, old) ? generation + 1 : generation;
  } else {
    setOrDelete(meta, "generation", oldMeta.generation);
  }
}

function setOrDelete<K extends string>(
  target: Partial<Record<K, unknown>>,
  key: K,
  value: unknown,
) {
  if (value === undefined) delete target[key];
  else target[key] = value;
}

/** True when anything but metadata and status differs (what bumps metadata.generation). */
export function specChanged(obj: KubeObject, old: KubeObject): boolean {
  const { metadata: _m1, status: _s1, ...a } = obj;
  const { metadata: _m2, status: _s2, ...b } = old;
  return !deepEqual(a, b);
}

/** True when an update would change nothing but the resourceVersion (upstream skips the write). */
export function sameObject(obj: KubeObject, old: KubeObject): boolean {
  const strip = (o: KubeObject) => ({
    ...o,
    metadata: { ...o.metadata, resourceVersion: undefined },
  });
  return deepEqual(strip(obj), strip(old));
}
