/**
 * How objects are kept in the Store: JSON of the storage version, without
 * `metadata.resourceVersion` (the Store's modification revision is the resourceVersion).
 */
import type { KubeObject } from "../../api/object.ts";
import type { KeyValue } from "../../storage/store.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Stored objects always begin `{"apiVersion":…,"kind":…,"metadata":{`, so that a read can add
 * the resourceVersion without parsing (see `servedJson`).
 */
export function encodeObject(obj: KubeObject): Uint8Array {
  const { apiVersion, kind, metadata, ...rest } = obj;
  const { resourceVersion: _, ...meta } = metadata ?? {};
  return encoder.encode(JSON.stringify({ apiVersion, kind, metadata: meta, ...rest }));
}

const prefixes = new Map<string, Uint8Array>();

/**
 * The stored object as the API returns it, resourceVersion added, without parsing it: UTF-8
 * bytes spliced from the stored ones (what a response body is written from) — or undefined when it
 * was stored as another apiVersion/kind (the caller then decodes).
 */
export function servedBytes(
  kv: KeyValue,
  apiVersion: string,
  kind: string,
): Uint8Array | undefined {
  const id = `${apiVersion}\n${kind}`;
  let prefix = prefixes.get(id);
  if (!prefix) {
    prefix = encoder.encode(
      `{"apiVersion":${JSON.stringify(apiVersion)},"kind":${JSON.stringify(kind)},"metadata":{`,
    );
    prefixes.set(id, prefix);
  }
  const value = kv.value;
  if (value.length <= prefix.length) return undefined;
  for (let i = 0; i < prefix.length; i++) if (value[i] !== prefix[i]) return undefined;
  const empty = value[prefix.length] === 0x7d; // "}": metadata holds nothing else
  const rv = encoder.encode(`"resourceVersion":"${kv.modRevision}"${empty ? "" : ","}`);
  // Its own memory, never a slice of Node's shared pool: the watch cache keeps these for as long
  // as the object lives.
  const out = Buffer.allocUnsafeSlow(value.length + rv.length);
  out.set(value.subarray(0, prefix.length), 0);
  out.set(rv, prefix.length);
  out.set(value.subarray(prefix.length), prefix.length + rv.length);
  return out;
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
