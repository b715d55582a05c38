/**
 * Secrets are encrypted in the store: the raw SQLite bytes hold neither the value nor its base64,
 * and `bosun secrets-encrypt rotate-keys` re-encrypts them under a new key.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { run, TestServer } from "./lib/server.ts";

const bosun = fileURLToPath(new URL("../../bin/bosun.js", import.meta.url));
const secretValue = "correct-horse-battery-staple";

function rawSecret(dataDir: string): Buffer {
  const db = new DatabaseSync(join(dataDir, "server", "db", "state.db"), { readOnly: true });
  try {
    const row = db
      .prepare("SELECT value FROM kv WHERE name = ? ORDER BY id DESC LIMIT 1")
      .get("/registry/core/secrets/default/vault") as { value: Uint8Array };
    return Buffer.from(row.value);
  } finally {
    db.close();
  }
}

describe("secrets at rest", () => {
  let s: TestServer;
  before(async () => {
    s = await TestServer.start();
  });
  after(async () => {
    await s.dispose();
  });

  it("stores Secrets encrypted, and serves them decrypted", async () => {
    await s.k("create", "secret", "generic", "vault", `--from-literal=password=${secretValue}`);
    const secret = await s.json("get", "secret", "vault");
    assert.equal(Buffer.from(secret.data.password, "base64").toString(), secretValue);
    assert.equal(await s.stop(), 0);
    const raw = rawSecret(s.dataDir);
    assert.ok(
      raw.subarray(0, 23).toString().startsWith("k8s:enc:aesgcm:v1:key1:"),
      raw.subarray(0, 30).toString(),
    );
    for (const needle of [secretValue, Buffer.from(secretValue).toString("base64"), "vault"]) {
      assert.equal(raw.includes(needle), false, `raw bytes contain ${needle}`);
    }
  });

  it("re-encrypts every Secret when the key is rotated", async () => {
    const rotated = await run(process.execPath, [
      bosun,
      "secrets-encrypt",
      "rotate-keys",
      "--data-dir",
      s.dataDir,
    ]);
    assert.equal(rotated.code, 0, rotated.stderr);
    assert.match(rotated.stdout, /re-encrypted \d+ of \d+ secrets/);
    const raw = rawSecret(s.dataDir);
    assert.ok(raw.toString("latin1").startsWith("k8s:enc:aesgcm:v1:key2:"));
    const config = readFileSync(join(s.dataDir, "server", "encryption-config.yaml"), "utf8");
    assert.match(config, /name: key2/);
    assert.doesNotMatch(config, /name: key1/);
    await s.launch();
    const secret = await s.json("get", "secret", "vault");
    assert.equal(Buffer.from(secret.data.password, "base64").toString(), secretValue);
  });
});
