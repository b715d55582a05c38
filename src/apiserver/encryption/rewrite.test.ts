import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { MemoryStore } from "../../storage/memory/memory-store.ts";
import type { Store } from "../../storage/store.ts";
import { withEncryption } from "./encrypted-store.ts";
import { reencryptAll } from "./rewrite.ts";
import { testKey, transformersFor } from "./testing.ts";

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);
const secrets = { group: "", resource: "secrets" };
const prefix = "/registry/core/secrets/";
const key1 = { name: "key1", secret: testKey(1) };
const key2 = { name: "key2", secret: testKey(2) };

const withKey1 = transformersFor(
  ["secrets"],
  [{ provider: "aesgcm", keys: [key1] }, { provider: "identity" }],
);
const rotated = transformersFor(
  ["secrets"],
  [{ provider: "aesgcm", keys: [key2, key1] }, { provider: "identity" }],
);
const key2Only = transformersFor(["secrets"], [{ provider: "aesgcm", keys: [key2] }]);

async function rawPrefixes(raw: Store): Promise<string[]> {
  const { items } = await raw.list(prefix);
  return items.map((kv) => dec(kv.value).split(":").slice(0, 5).join(":"));
}

describe("key rotation with reencryptAll", () => {
  it("rewrites values of older keys and plaintext so the new key alone reads them", async () => {
    const raw = new MemoryStore();
    const before = withEncryption(raw, withKey1);
    for (let i = 0; i < 7; i++) await before.create(`${prefix}ns/s${i}`, enc(`{"n":${i}}`));
    await raw.create(`${prefix}ns/plain`, enc('{"n":"plain"}'));

    // After rotation the old value is still readable, and reported stale.
    const t = rotated.transformerFor(secrets);
    const old = await raw.get(`${prefix}ns/s0`);
    const read = t.fromStorage(old.value, old.key);
    assert.deepEqual(
      { value: dec(read.value), stale: read.stale },
      { value: '{"n":0}', stale: true },
    );
    assert.throws(() => key2Only.transformerFor(secrets).fromStorage(old.value, old.key));

    const result = await reencryptAll(raw, prefix, t, { pageSize: 3 });
    assert.deepEqual(result, { scanned: 8, rewritten: 8 });
    assert.deepEqual(new Set(await rawPrefixes(raw)), new Set(["k8s:enc:aesgcm:v1:key2"]));

    const after = withEncryption(raw, key2Only);
    const values = (await after.list(prefix)).items.map((kv) => dec(kv.value));
    assert.deepEqual(
      values.sort(),
      [...[0, 1, 2, 3, 4, 5, 6].map((i) => `{"n":${i}}`), '{"n":"plain"}'].sort(),
    );

    // A second pass finds nothing stale.
    assert.deepEqual(await reencryptAll(raw, prefix, t), { scanned: 8, rewritten: 0 });
    await raw.close();
  });

  it("keeps the key's lease and survives concurrent writes", async () => {
    const raw = new MemoryStore();
    const lease = await raw.grantLease(60);
    const before = withEncryption(raw, withKey1);
    await before.create(`${prefix}ns/leased`, enc("{}"), { lease });
    const racing = await before.create(`${prefix}ns/racing`, enc('{"v":1}'));

    // A client writes with the new key after the page was read: the guarded update conflicts,
    // and the fresh value is left as it is.
    const t = rotated.transformerFor(secrets);
    const listing = raw.list.bind(raw);
    let raced = false;
    raw.list = async (p, o) => {
      const page = await listing(p, o);
      if (!raced) {
        raced = true;
        await withEncryption(raw, rotated).update(
          `${prefix}ns/racing`,
          enc('{"v":2}'),
          racing.modRevision,
        );
      }
      return page;
    };
    assert.deepEqual(await reencryptAll(raw, prefix, t), { scanned: 2, rewritten: 1 });
    assert.equal((await raw.get(`${prefix}ns/leased`)).lease, lease);
    const after = withEncryption(raw, key2Only);
    assert.equal(dec((await after.get(`${prefix}ns/racing`)).value), '{"v":2}');
    await raw.close();
  });

  it("stops on a value no configured key can read", async () => {
    const raw = new MemoryStore();
    await withEncryption(raw, withKey1).create(`${prefix}ns/a`, enc("{}"));
    await assert.rejects(
      reencryptAll(raw, prefix, key2Only.transformerFor(secrets)),
      /unable to transform key "\/registry\/core\/secrets\/ns\/a": no matching key was found/,
    );
    await raw.close();
  });
});
