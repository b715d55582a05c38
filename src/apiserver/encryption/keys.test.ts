import assert from "node:assert/strict";
import { chmod, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { loadEncryptionConfig } from "./config.ts";
import {
  encryptionConfigPath,
  loadOrCreateEncryptionConfig,
  removeOldKeys,
  rotateKey,
} from "./keys.ts";
import { configYaml, testKey } from "./testing.ts";

describe("encryption keys", () => {
  let dir = "";
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "bosun-keys-"));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it("writes a private default file on first start and loads it after", async () => {
    const dataDir = join(dir, "data");
    const first = await loadOrCreateEncryptionConfig(dataDir);
    assert.equal(first.created, true);
    assert.equal(first.path, encryptionConfigPath(dataDir));
    assert.equal(first.path, join(dataDir, "server", "encryption-config.yaml"));
    assert.equal((await stat(first.path)).mode & 0o777, 0o600);
    assert.deepEqual(first.warnings, []);
    const entry = first.config.resources[0]!;
    assert.deepEqual(entry.resources, ["secrets"]);
    assert.equal(entry.providers[0]!.aesgcm!.keys[0]!.name, "key1");
    assert.equal(Buffer.from(entry.providers[0]!.aesgcm!.keys[0]!.secret, "base64").length, 32);
    assert.deepEqual(entry.providers[1], { identity: {} });

    const again = await loadOrCreateEncryptionConfig(dataDir);
    assert.equal(again.created, false);
    assert.deepEqual(again.config, first.config);
  });

  it("warns when the file is readable by others", async () => {
    const dataDir = join(dir, "loose");
    const { path } = await loadOrCreateEncryptionConfig(dataDir);
    await chmod(path, 0o644);
    const loaded = await loadOrCreateEncryptionConfig(dataDir);
    assert.match(loaded.warnings[0] ?? "", /readable by other users \(mode 644\)/);
  });

  it("rotates by putting a new key first, keeping the old ones and the file's comments", async () => {
    const { path, config } = await loadOrCreateEncryptionConfig(join(dir, "rotate"));
    const oldSecret = config.resources[0]!.providers[0]!.aesgcm!.keys[0]!.secret;
    assert.deepEqual(await rotateKey(path), [
      { resources: ["secrets"], provider: "aesgcm", name: "key2" },
    ]);
    const rotated = await loadEncryptionConfig(path);
    const keys = rotated.resources[0]!.providers[0]!.aesgcm!.keys;
    assert.deepEqual(
      keys.map((k) => k.name),
      ["key2", "key1"],
    );
    assert.equal(keys[1]!.secret, oldSecret);
    assert.notEqual(keys[0]!.secret, oldSecret);
    assert.deepEqual(rotated.resources[0]!.providers[1], { identity: {} });
    assert.match(await readFile(path, "utf8"), /^# Encryption of resources at rest/);
    assert.equal((await stat(path)).mode & 0o777, 0o600);

    await rotateKey(path);
    const current = (await loadEncryptionConfig(path)).resources[0]!.providers[0]!.aesgcm!.keys;
    assert.deepEqual(
      current.map((k) => k.name),
      ["key3", "key2", "key1"],
    );

    await removeOldKeys(path);
    const pruned = await loadEncryptionConfig(path);
    assert.deepEqual(pruned.resources[0]!.providers, [
      { aesgcm: { keys: [current[0]] } },
      { identity: {} },
    ]);
  });

  it("drops other encrypting providers when removing old keys", async () => {
    const path = join(dir, "migrate.yaml");
    await writeFile(
      path,
      configYaml(
        ["secrets"],
        [
          { provider: "secretbox", keys: [{ name: "new", secret: testKey(1) }] },
          { provider: "aescbc", keys: [{ name: "old", secret: testKey(2) }] },
          { provider: "identity" },
        ],
      ),
    );
    await removeOldKeys(path);
    const config = await loadEncryptionConfig(path);
    assert.deepEqual(
      config.resources[0]!.providers.map((p) => Object.keys(p)[0]),
      ["secretbox", "identity"],
    );
  });

  it("refuses to rotate a file that encrypts nothing", async () => {
    const path = join(dir, "identity.yaml");
    await writeFile(path, configYaml(["secrets"], [{ provider: "identity" }]));
    await assert.rejects(
      rotateKey(path),
      /no entry's first provider is aesgcm, aescbc or secretbox/,
    );
  });
});
