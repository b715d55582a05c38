/**
 * Value transformers: what turns a Store value into its at-rest form and back (upstream
 * `k8s.io/apiserver/pkg/storage/value`).
 *
 * Encrypted values carry a prefix naming how they were written, `k8s:enc:<provider>:v1:<key>:`,
 * followed by the provider's ciphertext; unprefixed values are plaintext. Reading tries the
 * configured prefixes in order; writing always uses the first. A value read by anything but the
 * first transformer is reported `stale`, so it can be rewritten with the current key.
 */
import { aggregateMessages } from "../../machinery/field-errors.ts";

export interface FromStorageResult {
  readonly value: Uint8Array;
  /** The value was not written by the current (first) transformer and should be rewritten. */
  readonly stale: boolean;
}

/**
 * `context` is the Store key the value lives under. Providers that authenticate it (aesgcm) refuse
 * a value copied to another key. Both methods throw on failure.
 */
export interface ValueTransformer {
  toStorage(data: Uint8Array, context: string): Uint8Array;
  fromStorage(data: Uint8Array, context: string): FromStorageResult;
}

/** A transformer and the prefix its output is stored under (`value.PrefixTransformer`). */
export interface PrefixTransformer {
  readonly prefix: string;
  readonly transformer: ValueTransformer;
}

const encoder = new TextEncoder();

/** Prefix reserved for encrypted data; plaintext JSON starts with `{`. */
export const encryptedPrefix = "k8s:enc:";
const encryptedPrefixBytes = encoder.encode(encryptedPrefix);

export function hasPrefix(data: Uint8Array, prefix: Uint8Array): boolean {
  if (data.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (data[i] !== prefix[i]) return false;
  return true;
}

/**
 * Stores values as they are, and refuses to read encrypted ones
 * (`identity.NewEncryptCheckTransformer`).
 */
export const identityTransformer: ValueTransformer = {
  toStorage: (data) => data,
  fromStorage(data) {
    if (hasPrefix(data, encryptedPrefixBytes)) {
      throw new Error("identity transformer tried to read encrypted data");
    }
    return { value: data, stale: false };
  },
};

/**
 * Chooses among transformers by prefix (`value.NewPrefixTransformers`). An error from a matching
 * prefix does not end the search: two entries of one provider share the prefix
 * `k8s:enc:aescbc:v1:`, and an identity entry (empty prefix) listed before an encrypting one
 * must let it read encrypted values.
 */
export function prefixTransformers(
  transformers: readonly PrefixTransformer[],
  noMatch: string,
): ValueTransformer {
  if (transformers.length === 0) throw new Error("prefixTransformers needs a transformer");
  const prefixes = transformers.map((t) => encoder.encode(t.prefix));
  return {
    toStorage(data, context) {
      const first = transformers[0]!;
      const body = first.transformer.toStorage(data, context);
      const prefix = prefixes[0]!;
      const out = new Uint8Array(prefix.length + body.length);
      out.set(prefix);
      out.set(body, prefix.length);
      return out;
    },
    fromStorage(data, context) {
      const errors: string[] = [];
      for (let i = 0; i < transformers.length; i++) {
        const prefix = prefixes[i]!;
        if (!hasPrefix(data, prefix)) continue;
        try {
          const result = transformers[i]!.transformer.fromStorage(
            data.subarray(prefix.length),
            context,
          );
          return { value: result.value, stale: result.stale || i !== 0 };
        } catch (err) {
          if (prefix.length > 0) errors.push(err instanceof Error ? err.message : String(err));
        }
      }
      throw new Error(errors.length > 0 ? aggregateMessages(errors) : noMatch);
    },
  };
}
