/**
 * A Store that encrypts values on the way in and decrypts them on the way out, by resource
 * (upstream does this inside its etcd3 store with a per-resource `value.Transformer`).
 *
 * Wrapping the Store keeps the registry, list, watch and watch-cache code unaware of encryption:
 * every value they see is plaintext, including a Conflict's current value and watch events.
 * The resource is read from the key (`/registry/<group or "core">/<resource>/…`, as
 * GenericRegistry lays keys out); other keys pass through untouched. `stale` is dropped here:
 * rewriting stale values is `reencryptAll`'s job, on the unwrapped store.
 */
import { conflict, isStoreError } from "../../storage/errors.ts";
import type { KeyValue, Store, Watch, WatchItem } from "../../storage/store.ts";
import type { ResourceTransformers } from "./resource-transformers.ts";
import type { ValueTransformer } from "./transformer.ts";
import type { GroupResourceName } from "./validation.ts";

/** The storage group and resource of a GenericRegistry key, or undefined for other keys. */
export function groupResourceOfKey(key: string): GroupResourceName | undefined {
  const parts = key.split("/", 4);
  if (parts.length < 4 || parts[0] !== "" || parts[1] !== "registry") return undefined;
  return { group: parts[2] === "core" ? "" : parts[2]!, resource: parts[3]! };
}

export interface EncryptionOptions {
  /** Maps a key to its resource; defaults to `groupResourceOfKey`. */
  readonly groupResourceOf?: (key: string) => GroupResourceName | undefined;
}

/** Why a value could not be read: upstream's "unable to transform key" internal error. */
export function transformError(key: string, err: unknown): Error {
  const reason = err instanceof Error ? err.message : String(err);
  return new Error(`unable to transform key ${JSON.stringify(key)}: ${reason}`, { cause: err });
}

export function withEncryption(
  store: Store,
  transformers: ResourceTransformers,
  options: EncryptionOptions = {},
): Store {
  const resourceOf = options.groupResourceOf ?? groupResourceOfKey;
  const lookup = (key: string): ValueTransformer | undefined => {
    const gr = resourceOf(key);
    return gr && transformers.isConfigured(gr) ? transformers.transformerFor(gr) : undefined;
  };
  // Every value read, written or watched asks: the answer is kept by `/registry/<group>/<resource>`,
  // the part of a key `groupResourceOfKey` reads.
  const byResource = new Map<string, ValueTransformer | undefined>();
  const transformerOf = (key: string): ValueTransformer | undefined => {
    const resourceAt = key.indexOf("/", 1 + "/registry/".length);
    if (options.groupResourceOf || resourceAt < 0) return lookup(key);
    const end = key.indexOf("/", resourceAt + 1);
    const part = end < 0 ? key : key.slice(0, end);
    if (byResource.has(part)) return byResource.get(part);
    const t = lookup(key);
    if (byResource.size >= 4096) byResource.clear();
    byResource.set(part, t);
    return t;
  };
  const encrypt = (key: string, value: Uint8Array) =>
    transformerOf(key)?.toStorage(value, key) ?? value;
  const decrypt = (kv: KeyValue): KeyValue => {
    const t = transformerOf(kv.key);
    // Delete events carry an empty value.
    if (!t || kv.value.length === 0) return kv;
    try {
      return { ...kv, value: t.fromStorage(kv.value, kv.key).value };
    } catch (err) {
      throw transformError(kv.key, err);
    }
  };
  const withPlain = (plain: Uint8Array) => (kv: KeyValue) => ({ ...kv, value: plain });
  /** Conflicts carry the current value, which the caller reads. */
  const plainErrors = (err: unknown): never => {
    if (isStoreError(err, "Conflict") && err.current && err.key !== undefined) {
      throw conflict(err.key, decrypt(err.current));
    }
    throw err;
  };
  return {
    get: async (key, o) => decrypt(await store.get(key, o)),
    list: async (prefix, o) => {
      const result = await store.list(prefix, o);
      return { ...result, items: result.items.map(decrypt) };
    },
    count: (prefix) => store.count(prefix),
    create: (key, value, o) => store.create(key, encrypt(key, value), o).then(withPlain(value)),
    update: (key, value, rev, o) =>
      store.update(key, encrypt(key, value), rev, o).then(withPlain(value), plainErrors),
    delete: (key, o) => store.delete(key, o).then(decrypt, plainErrors),
    watch: (prefix, o) => decryptingWatch(store.watch(prefix, o), decrypt),
    compact: (rev) => store.compact(rev),
    currentRevision: () => store.currentRevision(),
    grantLease: (ttl) => store.grantLease(ttl),
    keepAliveLease: (id) => store.keepAliveLease(id),
    revokeLease: (id) => store.revokeLease(id),
    close: () => store.close(),
  };
}

/** The watch with its events' values decrypted; a value that does not decrypt ends it. */
function decryptingWatch(inner: Watch, decrypt: (kv: KeyValue) => KeyValue): Watch {
  async function* events(): AsyncGenerator<WatchItem> {
    for await (const item of inner) {
      if (item.type === "progress") {
        yield item;
        continue;
      }
      const kv = decrypt(item.kv);
      yield item.prev ? { type: item.type, kv, prev: decrypt(item.prev) } : { type: item.type, kv };
    }
  }
  return {
    [Symbol.asyncIterator]: () => events(),
    requestProgress: () => inner.requestProgress(),
    close: () => inner.close(),
  };
}
