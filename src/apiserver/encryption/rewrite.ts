/**
 * Rewrites every stale value under a prefix with the current key: the last step of key rotation
 * (upstream's "kubectl get secrets -A -o json | kubectl replace -f -", done here without the API
 * round trip and without changing objects whose value is already current).
 *
 * Runs against the raw Store (not the `withEncryption` wrapper), in pages. Each rewrite is a
 * guarded update on the value's modRevision; a conflict means a client wrote the key meanwhile,
 * so the current value is checked again (it is normally fresh already). Note that a rewrite
 * changes the key's modRevision, so clients see a MODIFIED event with an unchanged object.
 */
import { isStoreError } from "../../storage/errors.ts";
import type { KeyValue, Store } from "../../storage/store.ts";
import { transformError } from "./encrypted-store.ts";
import type { ValueTransformer } from "./transformer.ts";

export interface ReencryptOptions {
  /** Keys read per list call; default 500. */
  readonly pageSize?: number;
  /** Stops between keys; the promise then rejects with the signal's reason. */
  readonly signal?: AbortSignal;
}

export interface ReencryptResult {
  /** Keys read. */
  readonly scanned: number;
  /** Keys rewritten with the current key. */
  readonly rewritten: number;
}

const maxAttempts = 10;

export async function reencryptAll(
  store: Store,
  prefix: string,
  transformer: ValueTransformer,
  options: ReencryptOptions = {},
): Promise<ReencryptResult> {
  const limit = options.pageSize ?? 500;
  let scanned = 0;
  let rewritten = 0;
  let token: string | undefined;
  do {
    const page = await store.list(
      prefix,
      token === undefined ? { limit } : { limit, continue: token },
    );
    for (const kv of page.items) {
      options.signal?.throwIfAborted();
      scanned++;
      if (await rewriteIfStale(store, kv, transformer)) rewritten++;
    }
    token = page.continue;
  } while (token !== undefined);
  return { scanned, rewritten };
}

/** Rewrites one key if its value is stale; false when it was current or is gone. */
async function rewriteIfStale(
  store: Store,
  first: KeyValue,
  transformer: ValueTransformer,
): Promise<boolean> {
  let kv = first;
  for (let attempt = 0; attempt < maxAttempts; attempt++) {
    let plain: Uint8Array;
    let stale: boolean;
    try {
      ({ value: plain, stale } = transformer.fromStorage(kv.value, kv.key));
    } catch (err) {
      throw transformError(kv.key, err);
    }
    if (!stale) return false;
    const value = transformer.toStorage(plain, kv.key);
    try {
      await store.update(kv.key, value, kv.modRevision, kv.lease ? { lease: kv.lease } : {});
      return true;
    } catch (err) {
      if (isStoreError(err, "NotFound")) return false;
      if (!isStoreError(err, "Conflict")) throw err;
      try {
        kv = err.current ?? (await store.get(kv.key));
      } catch (getErr) {
        if (isStoreError(getErr, "NotFound")) return false;
        throw getErr;
      }
    }
  }
  throw new Error(`re-encrypting ${kv.key}: still conflicting after ${maxAttempts} attempts`);
}
