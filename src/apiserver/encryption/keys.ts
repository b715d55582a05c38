/**
 * Bosun's own encryption key file: `<data-dir>/server/encryption-config.yaml`, an ordinary
 * EncryptionConfiguration that an operator may edit or replace.
 *
 * The default provider is aesgcm, not aescbc. AES-GCM is authenticated and binds each value to
 * its Store key, so tampered or moved values are refused; AES-CBC is neither (upstream's docs rate
 * it weak for that reason: padding oracles). GCM's known risk is a repeated random 96-bit nonce,
 * which upstream answers with "rotate every 200,000 writes". The chance of any repeat after n
 * writes is about n²/2⁹⁷: 2.5e-19 at 200,000 writes and 2⁻³³ at NIST's 2³² limit (SP 800-38D).
 * Bosun encrypts only Secrets by default, whose writes are rare, so a cluster would need a
 * sustained write a second for over a century to reach that limit under one key; `rotateKey`
 * exists for policy-driven rotation all the same. (secretbox, with 192-bit nonces, has no such
 * limit and is supported for operators who prefer it; it is not the default because its
 * Salsa20/Poly1305 run in TypeScript here rather than in OpenSSL.)
 *
 * Rotation (upstream's procedure, collapsed for one server): `rotateKey` puts a new key first,
 * keeping the old ones for reading; restart; `reencryptAll` rewrites old values; then
 * `removeOldKeys`. With several servers, every server must be able to read the new key before any
 * writes with it, so add it second everywhere, restart, then move it first.
 */
import { randomBytes } from "node:crypto";
import { mkdir, readFile, rename, stat, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { isSeq, parseDocument } from "yaml";
import {
  type EncryptionConfiguration,
  loadEncryptionConfig,
  type ProviderConfiguration,
  parseEncryptionConfiguration,
} from "./config.ts";

export const defaultKeyName = "key1";
export const defaultEncryptedResources: readonly string[] = ["secrets"];

export function encryptionConfigPath(dataDir: string): string {
  return join(dataDir, "server", "encryption-config.yaml");
}

/** A new 32-byte key, base64-encoded as the file stores it. */
export function generateKeySecret(): string {
  return randomBytes(32).toString("base64");
}

/** The file Bosun writes on first start: aesgcm with one key, identity to read plaintext. */
export function defaultEncryptionConfigYaml(
  secret: string,
  resources: readonly string[] = defaultEncryptedResources,
): string {
  return [
    "# Encryption of resources at rest. Values are written with the first provider and read with",
    "# any. Keep this file private and back it up with the datastore: encrypted values cannot be",
    "# read without it. Identity reads values written before encryption was enabled.",
    "apiVersion: apiserver.config.k8s.io/v1",
    "kind: EncryptionConfiguration",
    "resources:",
    "  - resources:",
    ...resources.map((r) => `      - ${JSON.stringify(r)}`),
    "    providers:",
    "      - aesgcm:",
    "          keys:",
    `            - name: ${defaultKeyName}`,
    `              secret: ${secret}`,
    "      - identity: {}",
    "",
  ].join("\n");
}

export interface LoadedEncryptionConfig {
  readonly path: string;
  readonly config: EncryptionConfiguration;
  /** The file was written by this call. */
  readonly created: boolean;
  /** E.g. that the file is readable by other users. */
  readonly warnings: string[];
}

export interface LoadOrCreateOptions {
  /** Resources a new file encrypts; default `secrets`. */
  readonly resources?: readonly string[];
}

/** Loads the data dir's key file, writing a new one (mode 0600) on first start. */
export async function loadOrCreateEncryptionConfig(
  dataDir: string,
  options: LoadOrCreateOptions = {},
): Promise<LoadedEncryptionConfig> {
  const path = encryptionConfigPath(dataDir);
  let created = false;
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  try {
    const text = defaultEncryptionConfigYaml(generateKeySecret(), options.resources);
    await writeFile(path, text, { mode: 0o600, flag: "wx" });
    created = true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
  }
  const config = await loadEncryptionConfig(path);
  const warnings: string[] = [];
  const mode = (await stat(path)).mode & 0o777;
  if (mode & 0o077) {
    warnings.push(`${path} is readable by other users (mode ${mode.toString(8)}); chmod 600 it`);
  }
  return { path, config, created, warnings };
}

const keyedProviders = ["aesgcm", "aescbc", "secretbox"] as const;
type KeyedProvider = (typeof keyedProviders)[number];

function keyedProviderOf(p: ProviderConfiguration | undefined): KeyedProvider | undefined {
  return keyedProviders.find((name) => p?.[name] !== undefined);
}

/** `key<n>` for the smallest n above every `key<m>` the entry already names. */
function nextKeyName(taken: readonly string[]): string {
  let n = taken.length + 1;
  for (const name of taken) {
    const m = /^key(\d+)$/.exec(name);
    if (m) n = Math.max(n, Number(m[1]) + 1);
  }
  while (taken.includes(`key${n}`)) n++;
  return `key${n}`;
}

export interface RotatedKey {
  /** The entry's `resources`. */
  readonly resources: readonly string[];
  readonly provider: KeyedProvider;
  readonly name: string;
}

/**
 * Puts a new random key first in the first provider of every entry that encrypts, keeping the
 * old keys to read with. Comments and layout of the file are kept; it is replaced atomically.
 */
export async function rotateKey(path: string): Promise<RotatedKey[]> {
  return editConfig(path, (config, doc) => {
    const rotated = config.resources.flatMap((entry, i) => {
      const provider = keyedProviderOf(entry.providers[0]);
      if (!provider) return [];
      const taken = entry.providers.flatMap((p) => {
        const keyed = keyedProviderOf(p);
        return keyed ? p[keyed]!.keys.map((k) => k.name) : [];
      });
      const name = nextKeyName(taken);
      const keys = doc.getIn(["resources", i, "providers", 0, provider, "keys"], true);
      if (!isSeq(keys)) throw new Error(`${path}: resources[${i}] has no key list to rotate`);
      keys.items.unshift(doc.createNode({ name, secret: generateKeySecret() }));
      return [{ resources: entry.resources, provider, name }];
    });
    if (rotated.length === 0) {
      throw new Error(`${path}: no entry's first provider is aesgcm, aescbc or secretbox`);
    }
    return rotated;
  });
}

/**
 * After `reencryptAll`: leaves each encrypting entry with only its current key, dropping older
 * keys and other encrypting providers (identity stays, to read plaintext).
 */
export async function removeOldKeys(path: string): Promise<void> {
  await editConfig(path, (config, doc) => {
    config.resources.forEach((entry, i) => {
      const provider = keyedProviderOf(entry.providers[0]);
      if (!provider) return;
      const keys = doc.getIn(["resources", i, "providers", 0, provider, "keys"], true);
      if (isSeq(keys)) keys.items.splice(1);
      for (let j = entry.providers.length - 1; j > 0; j--) {
        if (keyedProviderOf(entry.providers[j])) doc.deleteIn(["resources", i, "providers", j]);
      }
    });
    return [];
  });
}

type Edit<T> = (config: EncryptionConfiguration, doc: ReturnType<typeof parseDocument>) => T[];

async function editConfig<T>(path: string, edit: Edit<T>): Promise<T[]> {
  const text = await readFile(path, "utf8");
  const config = parseEncryptionConfiguration(text);
  const doc = parseDocument(text);
  const changes = edit(config, doc);
  const next = doc.toString();
  parseEncryptionConfiguration(next);
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, next, { mode: 0o600 });
  await rename(tmp, path);
  return changes;
}
