/**
 * The `apiserver.config.k8s.io/v1` EncryptionConfiguration file (upstream
 * `apiserver/pkg/apis/apiserver/types_encryption.go` and `server/options/encryptionconfig`):
 * decoded strictly from YAML or JSON, then validated (`validation.ts`). Error messages follow
 * upstream's, e.g.
 *
 *   error while parsing file: resources[0].providers[0].aesgcm.keys[0].secret: Invalid value:
 *   "REDACTED": secret is not of the expected length, got 8, expected one of [16 24 32]
 */
import { readFile } from "node:fs/promises";
import { parse } from "yaml";
import { toAggregateMessage } from "../../machinery/field-errors.ts";
import { validateEncryptionConfiguration } from "./validation.ts";

export const encryptionConfigApiVersion = "apiserver.config.k8s.io/v1";
export const encryptionConfigKind = "EncryptionConfiguration";

export interface Key {
  name: string;
  /** Base64 of the key bytes. */
  secret: string;
}

export interface KeysConfiguration {
  keys: Key[];
}

/** Parsed so that validation can name it; Bosun has no KMS plugin support and rejects it. */
export interface KMSConfiguration {
  apiVersion?: string;
  name?: string;
  endpoint?: string;
  cachesize?: number;
  timeout?: string;
}

export interface ProviderConfiguration {
  aesgcm?: KeysConfiguration;
  aescbc?: KeysConfiguration;
  secretbox?: KeysConfiguration;
  identity?: Record<string, never>;
  kms?: KMSConfiguration;
}

export type ProviderName = keyof ProviderConfiguration;

export interface ResourceConfiguration {
  /** `secrets`, `deployments.apps`, `*.apps`, `*.` (core group), `*.*`. */
  resources: string[];
  /** In order: the first writes, all read. */
  providers: ProviderConfiguration[];
}

export interface EncryptionConfiguration {
  apiVersion: string;
  kind: string;
  resources: ResourceConfiguration[];
}

/** A file that cannot be decoded or does not validate. */
export class EncryptionConfigError extends Error {
  override readonly name = "EncryptionConfigError";
}

type Json = unknown;
const goType = (v: Json) =>
  Array.isArray(v) ? "array" : v === null ? "null" : typeof v === "object" ? "object" : typeof v;

class Decoder {
  readonly unknown: string[] = [];

  object(v: Json, goField: string): Record<string, Json> {
    if (v === null || v === undefined) return {};
    if (typeof v !== "object" || Array.isArray(v)) throw this.#mismatch(v, goField, "struct");
    return v as Record<string, Json>;
  }

  fields(obj: Record<string, Json>, where: string, known: readonly string[]): void {
    for (const k of Object.keys(obj)) {
      if (!known.includes(k)) this.unknown.push(where ? `${where}.${k}` : k);
    }
  }

  list(v: Json, goField: string, goItem: string): Json[] {
    if (v === null || v === undefined) return [];
    if (!Array.isArray(v)) throw this.#mismatch(v, goField, `[]${goItem}`);
    return v;
  }

  string(v: Json, goField: string): string {
    if (v === null || v === undefined) return "";
    if (typeof v !== "string") throw this.#mismatch(v, goField, "string");
    return v;
  }

  #mismatch(v: Json, goField: string, type: string) {
    return new EncryptionConfigError(
      `json: cannot unmarshal ${goType(v)} into Go struct field ${goField} of type ${type}`,
    );
  }
}

function decodeKeys(d: Decoder, v: Json, where: string, goField: string): KeysConfiguration {
  const obj = d.object(v, goField);
  d.fields(obj, where, ["keys"]);
  const keys = d.list(obj.keys, "AESConfiguration.keys", "v1.Key").map((k, i) => {
    const key = d.object(k, "AESConfiguration.keys");
    d.fields(key, `${where}.keys[${i}]`, ["name", "secret"]);
    return { name: d.string(key.name, "Key.name"), secret: d.string(key.secret, "Key.secret") };
  });
  return { keys };
}

function decodeProvider(d: Decoder, v: Json, where: string): ProviderConfiguration {
  const obj = d.object(v, "ResourceConfiguration.providers");
  d.fields(obj, where, ["aesgcm", "aescbc", "secretbox", "identity", "kms"]);
  const p: ProviderConfiguration = {};
  for (const name of ["aesgcm", "aescbc", "secretbox"] as const) {
    if (obj[name] != null)
      p[name] = decodeKeys(d, obj[name], `${where}.${name}`, `Provider.${name}`);
  }
  // As in Go, an explicit null leaves the provider unset.
  if (obj.identity != null) {
    d.fields(d.object(obj.identity, "Provider.identity"), `${where}.identity`, []);
    p.identity = {};
  }
  if (obj.kms != null) p.kms = d.object(obj.kms, "Provider.kms") as KMSConfiguration;
  return p;
}

/** Decodes a configuration file's text strictly (unknown fields are errors), without validating. */
export function decodeEncryptionConfiguration(text: string): EncryptionConfiguration {
  let doc: Json;
  try {
    doc = parse(text);
  } catch (err) {
    throw new EncryptionConfigError(`error converting YAML to JSON: ${(err as Error).message}`, {
      cause: err,
    });
  }
  const d = new Decoder();
  const root = d.object(doc, "EncryptionConfiguration");
  const apiVersion = d.string(root.apiVersion, "TypeMeta.apiVersion");
  const kind = d.string(root.kind, "TypeMeta.kind");
  if (kind === "") throw new EncryptionConfigError("Object 'Kind' is missing in configuration");
  if (apiVersion !== encryptionConfigApiVersion || kind !== encryptionConfigKind) {
    throw new EncryptionConfigError(
      `no kind ${JSON.stringify(kind)} is registered for version ${JSON.stringify(apiVersion)}`,
    );
  }
  d.fields(root, "", ["apiVersion", "kind", "resources"]);
  const resources = d
    .list(root.resources, "EncryptionConfiguration.resources", "v1.ResourceConfiguration")
    .map((r, i) => {
      const where = `resources[${i}]`;
      const obj = d.object(r, "EncryptionConfiguration.resources");
      d.fields(obj, where, ["resources", "providers"]);
      return {
        resources: d
          .list(obj.resources, "ResourceConfiguration.resources", "string")
          .map((s) => d.string(s, "ResourceConfiguration.resources")),
        providers: d
          .list(obj.providers, "ResourceConfiguration.providers", "v1.ProviderConfiguration")
          .map((p, j) => decodeProvider(d, p, `${where}.providers[${j}]`)),
      };
    });
  if (d.unknown.length > 0) {
    const fields = d.unknown.map((f) => `unknown field ${JSON.stringify(f)}`).join(", ");
    throw new EncryptionConfigError(`strict decoding error: ${fields}`);
  }
  return { apiVersion, kind, resources };
}

/** Throws the aggregated field errors when `config` does not validate. */
export function assertValidEncryptionConfiguration(config: EncryptionConfiguration): void {
  const errors = validateEncryptionConfiguration(config);
  if (errors.length > 0) throw new EncryptionConfigError(toAggregateMessage(errors));
}

/** Decodes and validates a configuration file's text. */
export function parseEncryptionConfiguration(text: string): EncryptionConfiguration {
  const config = decodeEncryptionConfiguration(text);
  assertValidEncryptionConfiguration(config);
  return config;
}

/**
 * Reads, decodes and validates the file at `path` (upstream `LoadEncryptionConfig`); every
 * failure is an EncryptionConfigError starting `error while parsing file: `.
 */
export async function loadEncryptionConfig(path: string): Promise<EncryptionConfiguration> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    const reason = `error reading encryption provider configuration file ${JSON.stringify(path)}`;
    throw new EncryptionConfigError(
      `error while parsing file: error while loading file: ${reason}: ${(err as Error).message}`,
      { cause: err },
    );
  }
  if (text.length === 0) {
    throw new EncryptionConfigError(
      `error while parsing file: error while loading file: encryption provider configuration file ${JSON.stringify(path)} is empty`,
    );
  }
  let config: EncryptionConfiguration;
  try {
    config = decodeEncryptionConfiguration(text);
  } catch (err) {
    const file = JSON.stringify(path);
    throw new EncryptionConfigError(
      `error while parsing file: error decoding encryption provider configuration file ${file}: ${(err as Error).message}`,
      { cause: err },
    );
  }
  try {
    assertValidEncryptionConfiguration(config);
  } catch (err) {
    throw new EncryptionConfigError(`error while parsing file: ${(err as Error).message}`, {
      cause: err,
    });
  }
  return config;
}
