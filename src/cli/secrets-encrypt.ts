/**
 * `bosun secrets-encrypt rotate-keys`: puts a new key first in the encryption configuration,
 * re-encrypts every Secret with it, and drops the old keys — with the server stopped (the data
 * dir is locked while it runs). Like k3s's `secrets-encrypt rotate-keys`.
 */
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { loadEncryptionConfig } from "../apiserver/encryption/config.ts";
import { encryptionConfigPath, removeOldKeys, rotateKey } from "../apiserver/encryption/keys.ts";
import { ResourceTransformers } from "../apiserver/encryption/resource-transformers.ts";
import { reencryptAll } from "../apiserver/encryption/rewrite.ts";
import type { Store } from "../storage/store.ts";
import { type Command, UsageError } from "./command.ts";
import { acquireDataDirLock } from "./data-dir-lock.ts";
import { openStore } from "./server.ts";

export const secretsEncryptCommand: Command = {
  name: "secrets-encrypt",
  summary: "Rotate the key that encrypts Secrets at rest (server stopped)",
  usage: `Usage: bosun secrets-encrypt rotate-keys [--data-dir DIR] [--datastore sqlite|etcd] [--datastore-endpoint URL]

Adds a new key, re-encrypts every Secret with it and removes the old keys. Stop the server on
this data dir first.`,
  async run(args) {
    const [action, ...rest] = args;
    if (action !== "rotate-keys") throw new UsageError('the only action is "rotate-keys"');
    let values: Record<string, string | undefined>;
    try {
      values = parseArgs({
        args: rest,
        strict: true,
        options: {
          "data-dir": { type: "string", default: "/var/lib/bosun" },
          datastore: { type: "string", default: "sqlite" },
          "datastore-endpoint": { type: "string" },
        },
      }).values as Record<string, string | undefined>;
    } catch (err) {
      throw new UsageError((err as Error).message.split("\n")[0]!);
    }
    const dataDir = resolve(values["data-dir"]!);
    const datastore = values.datastore;
    if (datastore !== "sqlite" && datastore !== "etcd") {
      throw new UsageError(`--datastore must be "sqlite" or "etcd", not "${datastore}"`);
    }
    const path = encryptionConfigPath(dataDir);
    // Nothing is created for a data dir no server has initialised (the sqlite file included).
    if (!existsSync(path)) {
      throw new Error(
        `no encryption configuration at ${path}: has a server run with --data-dir ${dataDir}?`,
      );
    }
    // A master of several (ADR 20) shares its keys with the others: rotating on one alone would
    // leave them unable to read Secrets.
    if (existsSync(join(dataDir, "server", "etcd", "member.json"))) {
      throw new Error(
        `${dataDir} belongs to a master with a managed etcd member: rotating keys across several masters is not supported yet`,
      );
    }
    const lock = acquireDataDirLock(dataDir);
    let store: Store;
    try {
      store = await openStore({
        dataDir,
        datastore,
        datastoreEndpoints: values["datastore-endpoint"]?.split(",") ?? [],
      });
    } catch (err) {
      lock.release();
      throw err;
    }
    try {
      const rotated = await rotateKey(path);
      const transformers = new ResourceTransformers(await loadEncryptionConfig(path));
      const result = await reencryptAll(
        store,
        "/registry/core/secrets/",
        transformers.transformerFor({ group: "", resource: "secrets" }),
      );
      await removeOldKeys(path);
      const names = rotated.map((r) => `${r.provider} ${r.name}`).join(", ");
      process.stdout.write(
        `rotated to ${names}; re-encrypted ${result.rewritten} of ${result.scanned} secrets\n`,
      );
      return 0;
    } finally {
      await store.close();
      lock.release();
    }
  },
};
