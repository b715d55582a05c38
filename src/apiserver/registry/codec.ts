/**
 * How objects are kept in the Store: JSON of the storage version, without
 * `metadata.resourceVersion` (the Store's modification revision is the resourceVersion).
 */
import type { KubeObject } from "../../api/object.ts";
import type { KeyValue } from "../../storage/store.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function encodeObject(obj: KubeObject): Uint8Array {
  const meta = obj.metadata;
  if (!meta || meta.resourceVersion === undefined) return encoder.encode(JSON.stringify(obj));
  const { resourceVersion: _, ...rest } = meta;
  return encoder.encode(JSON.stringify({ ...obj, metadata: rest }));
}

export function decodeObject(kv: KeyValue): KubeObject {
  const obj = JSON.parse(decoder.decode(kv.value)) as KubeObject;
  obj.metadata ??= {};
  obj.metadata.resourceVersion = String(kv.modRevision);
  return obj;
}

/** The object as it was just before a delete event (its resourceVersion is the delete's). */
export function decodeDeleted(prev: KeyValue, deleteRevision: number): KubeObject {
  const obj = decodeObject(prev);
  obj.metadata!.resourceVersion = String(deleteRevision);
  return obj;
}
