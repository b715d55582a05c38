/**
 * One ValueTransformer per configured resource, built from a validated EncryptionConfiguration
 * (upstream `getTransformerOverrides` and `transformerFromOverrides`).
 *
 * Each provider entry becomes a prefix transformer: `k8s:enc:aesgcm:v1:` chooses the provider,
 * then `<key name>:` the key. A resource matches its own entry, else `*.<group>`, else `*.*`;
 * an unconfigured resource is stored as plaintext (and reading encrypted data for it fails).
 */
import { aesCbcTransformer, aesGcmTransformer } from "./aes.ts";
import type {
  EncryptionConfiguration,
  KeysConfiguration,
  ProviderConfiguration,
} from "./config.ts";
import { secretboxTransformer } from "./secretbox.ts";
import {
  identityTransformer,
  type PrefixTransformer,
  prefixTransformers,
  type ValueTransformer,
} from "./transformer.ts";
import { decodeBase64Std, type GroupResourceName, parseGroupResource } from "./validation.ts";

export const aesCbcTransformerPrefixV1 = "k8s:enc:aescbc:v1:";
export const aesGcmTransformerPrefixV1 = "k8s:enc:aesgcm:v1:";
export const secretboxTransformerPrefixV1 = "k8s:enc:secretbox:v1:";

const grKey = (gr: GroupResourceName) => `${gr.resource}.${gr.group}`;

/** How upstream names a rule in messages: `*.` for the core wildcard, else `resource.group`. */
function grString(gr: GroupResourceName): string {
  if (gr.group === "" && gr.resource === "*") return "*.";
  return gr.group === "" ? gr.resource : `${gr.resource}.${gr.group}`;
}

function keyedProvider(
  config: KeysConfiguration,
  prefix: string,
  make: (key: Uint8Array) => ValueTransformer,
  noMatch: string,
): PrefixTransformer {
  const keys = config.keys.map((k) => {
    const secret = decodeBase64Std(k.secret);
    if (!secret) throw new Error(`could not obtain secret for named key ${k.name}`);
    return { prefix: `${k.name}:`, transformer: make(secret) };
  });
  return { prefix, transformer: prefixTransformers(keys, noMatch) };
}

function providerTransformer(p: ProviderConfiguration): PrefixTransformer {
  const noAesKey = "no matching key was found for the provided AES transformer";
  if (p.aesgcm)
    return keyedProvider(p.aesgcm, aesGcmTransformerPrefixV1, aesGcmTransformer, noAesKey);
  if (p.aescbc)
    return keyedProvider(p.aescbc, aesCbcTransformerPrefixV1, aesCbcTransformer, noAesKey);
  if (p.secretbox) {
    const noKey = "no matching key was found for the provided Secretbox transformer";
    return keyedProvider(p.secretbox, secretboxTransformerPrefixV1, secretboxTransformer, noKey);
  }
  if (p.identity) return { prefix: "", transformer: identityTransformer };
  throw new Error(
    "provider does not contain any of the expected providers: KMS, AESGCM, AESCBC, Secretbox, Identity",
  );
}

export class ResourceTransformers {
  readonly #byResource: ReadonlyMap<string, ValueTransformer>;

  /** Builds the transformers; `config` must have passed validation. */
  constructor(config: EncryptionConfiguration) {
    const lists = new Map<string, PrefixTransformer[]>();
    for (const entry of config.resources) {
      const transformers = entry.providers.map(providerTransformer);
      for (const resource of entry.resources) {
        const gr = parseGroupResource(resource);
        for (const mask of [
          { group: gr.group, resource: "*" },
          { group: "*", resource: "*" },
        ]) {
          if (lists.has(grKey(mask))) {
            throw new Error(
              `resource ${JSON.stringify(grString(gr))} is masked by earlier rule ${JSON.stringify(grString(mask))}`,
            );
          }
        }
        lists.set(grKey(gr), [...(lists.get(grKey(gr)) ?? []), ...transformers]);
      }
    }
    const built = new Map<string, ValueTransformer>();
    for (const [key, list] of lists)
      built.set(key, prefixTransformers(list, "no matching prefix found"));
    this.#byResource = built;
  }

  /** The transformer for a storage group and resource ("" is the core group). */
  transformerFor(gr: GroupResourceName): ValueTransformer {
    return (
      this.#byResource.get(grKey(gr)) ??
      this.#byResource.get(grKey({ group: gr.group, resource: "*" })) ??
      this.#byResource.get(grKey({ group: "*", resource: "*" })) ??
      identityTransformer
    );
  }

  /** Whether values of this resource pass through a configured transformer. */
  isConfigured(gr: GroupResourceName): boolean {
    return this.transformerFor(gr) !== identityTransformer;
  }
}
