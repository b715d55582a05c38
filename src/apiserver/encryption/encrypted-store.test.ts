import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { FakeClock } from "../../machinery/clock.ts";
import { storeContract, take } from "../../storage/contract.ts";
import { isStoreError } from "../../storage/errors.ts";
import { MemoryStore } from "../../storage/memory/memory-store.ts";
import { withWatchFanout } from "../../storage/watch-fanout.ts";
import { groupResourceOfKey, withEncryption } from "./encrypted-store.ts";
import { testKey, transformersFor } from "./testing.ts";

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);
const key1 = { name: "key1", secret: testKey(1) };

// The whole Store contract, with every key encrypted.
{
  const clock = new FakeClock();
  const transformers = transformersFor(["secrets"], [{ provider: "aesgcm", keys: [key1] }]);
  storeContract("memory with encryption", {
    minLeaseTtl: 1,
    async open() {
      const inner = new MemoryStore({ clock });
      const store = withEncryption(inner, transformers, {
        groupResourceOf: () => ({ group: "", resource: "secrets" }),
      });
      return { store: withWatchFanout(store), root: "/t" };
    },
    async elapse(ms) {
      clock.advance(ms);
      await new Promise((r) => setImmediate(r));
    },
  });
}

describe("groupResourceOfKey", () => {
  it("reads GenericRegistry's key layout", () => {
    assert.deepEqual(groupResourceOfKey("/registry/core/secrets/default/a"), {
      group: "",
      resource: "secrets",
    });
    assert.deepEqual(groupResourceOfKey("/registry/apps/deployments/ns/d"), {
      group: "apps",
      resource: "deployments",
    });
    assert.deepEqual(groupResourceOfKey("/registry/core/namespaces/ns"), {
      group: "",
      resource: "namespaces",
    });
    assert.equal(groupResourceOfKey("/bosun/leader"), undefined);
  });
});

describe("withEncryption", () => {
  const setup = () => {
    const raw = new MemoryStore();
    const transformers = transformersFor(
      ["secrets"],
      [{ provider: "aesgcm", keys: [key1] }, { provider: "identity" }],
    );
    return { raw, store: withEncryption(raw, transformers) };
  };
  const secret =
    '{"apiVersion":"v1","kind":"Secret","metadata":{"name":"db"},"data":{"pw":"aHVudGVyMg=="}}';

  it("stores secrets encrypted and serves them in plaintext", async () => {
    const { raw, store } = setup();
    const key = "/registry/core/secrets/default/db";
    const created = await store.create(key, enc(secret));
    assert.equal(dec(created.value), secret);
    const stored = (await raw.get(key)).value;
    assert.match(dec(stored), /^k8s:enc:aesgcm:v1:key1:/);
    assert.ok(!Buffer.from(stored).includes("aHVudGVyMg=="), "no plaintext at rest");
    assert.ok(!Buffer.from(stored).includes('"Secret"'));
    assert.equal(dec((await store.get(key)).value), secret);
    assert.deepEqual(
      (await store.list("/registry/core/secrets/")).items.map((kv) => dec(kv.value)),
      [secret],
    );
    await raw.close();
  });

  it("leaves other resources and keys alone", async () => {
    const { raw, store } = setup();
    await store.create("/registry/core/configmaps/default/c", enc("{}"));
    await store.create("/bosun/other", enc("x"));
    assert.equal(dec((await raw.get("/registry/core/configmaps/default/c")).value), "{}");
    assert.equal(dec((await raw.get("/bosun/other")).value), "x");
    await raw.close();
  });

  it("decides by each key's own resource, however writes of resources interleave", async () => {
    const { raw, store } = setup();
    const writes = [
      "/registry/core/configmaps/default/a",
      "/registry/core/secrets/default/a",
      "/registry/core/configmaps/other/b",
      "/registry/core/secrets/other/b",
      "/registry/core/secretsx/default/c",
      "/registry/apps/secrets/default/d",
    ];
    for (const key of writes) await store.create(key, enc(secret));
    const atRest = async (key: string) => dec((await raw.get(key)).value);
    for (const key of writes) {
      const encrypted = key.startsWith("/registry/core/secrets/");
      assert.equal((await atRest(key)).startsWith("k8s:enc:aesgcm:v1:key1:"), encrypted, key);
      assert.equal(dec((await store.get(key)).value), secret);
    }
    await raw.close();
  });

  it("reads secrets written before encryption", async () => {
    const { raw, store } = setup();
    await raw.create("/registry/core/secrets/default/old", enc(secret));
    assert.equal(dec((await store.get("/registry/core/secrets/default/old")).value), secret);
    await raw.close();
  });

  it("decrypts updates, deletes, conflicts and watch events", async () => {
    const { raw, store } = setup();
    const key = "/registry/core/secrets/default/w";
    const watch = store.watch("/registry/core/secrets/", {
      afterRevision: await store.currentRevision(),
    });
    const v1 = await store.create(key, enc("v1"));
    const v2 = await store.update(key, enc("v2"), v1.modRevision);
    assert.equal(dec(v2.value), "v2");
    const conflict = await store.update(key, enc("v3"), v1.modRevision).catch((e: unknown) => e);
    assert.ok(isStoreError(conflict, "Conflict"));
    assert.equal(dec(conflict.current!.value), "v2");
    assert.equal(dec((await store.delete(key)).value), "v2");
    const events = await take(watch, 3);
    assert.deepEqual(
      events.map((e) => [e.type, dec(e.kv.value), e.prev ? dec(e.prev.value) : undefined]),
      [
        ["create", "v1", undefined],
        ["update", "v2", "v1"],
        ["delete", "", "v2"],
      ],
    );
    watch.close();
    await raw.close();
  });

  it("fails reads of values it cannot decrypt, naming the key", async () => {
    const { raw, store } = setup();
    await raw.create(
      "/registry/core/secrets/default/bad",
      enc("k8s:enc:aesgcm:v1:key1:garbage-garbage"),
    );
    await assert.rejects(
      store.get("/registry/core/secrets/default/bad"),
      /^Error: unable to transform key "\/registry\/core\/secrets\/default\/bad": cipher: message authentication failed$/,
    );
    await raw.close();
  });

  it("ends a watch at a value it cannot decrypt, after the events before it", async () => {
    const { raw, store } = setup();
    const watch = store.watch("/registry/core/secrets/", {
      afterRevision: await store.currentRevision(),
    });
    await store.create("/registry/core/secrets/default/good", enc("fine"));
    await raw.create(
      "/registry/core/secrets/default/bad",
      enc("k8s:enc:aesgcm:v1:key1:garbage-garbage"),
    );
    const seen: string[] = [];
    await assert.rejects(
      (async () => {
        for await (const ev of watch) if (ev.type !== "progress") seen.push(dec(ev.kv.value));
      })(),
      /^Error: unable to transform key "\/registry\/core\/secrets\/default\/bad"/,
    );
    assert.deepEqual(seen, ["fine"]);
    await raw.close();
  });
});
