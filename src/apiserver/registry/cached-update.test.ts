/**
 * Updates start from the watch cache's copy (upstream's cachedExistingObject) and fall back to
 * the Store when that copy is stale: a write conflict, a resourceVersion other than the cached
 * one, or a change that is none against the stale copy. The "cache" here is a hand-held copy
 * that the test keeps stale on purpose.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { builtinResources } from "../../api/kinds/index.ts";
import type { KubeObject } from "../../api/object.ts";
import { FakeClock } from "../../machinery/clock.ts";
import { isStatusError } from "../../machinery/status.ts";
import { MemoryStore } from "../../storage/memory/memory-store.ts";
import { AdmissionChain } from "../admission/admission.ts";
import { GenericRegistry, type RequestContext } from "./generic-registry.ts";

const definition = builtinResources.find((d) => d.plural === "configmaps" && !d.group)!;
const ctx: RequestContext = {
  user: { username: "test", groups: [] },
  dryRun: false,
  warnings: [],
};

async function setup() {
  const store = new MemoryStore();
  const registry = new GenericRegistry({
    store,
    clock: new FakeClock(),
    admission: new AdmissionChain([]),
    definition,
  });
  const key = registry.key("default", "cm");
  /** The cache's copy: what the Store held when `snapshot` was last called. */
  let cached: { revision: number; json: string } | undefined;
  let cacheReads = 0;
  registry.readCurrentFrom((k) => {
    if (k !== key || !cached) return undefined;
    cacheReads++;
    const { revision, json } = cached;
    return { modRevision: revision, decode: () => JSON.parse(json) as KubeObject };
  });
  const snapshot = async () => {
    const kv = await store.get(key);
    cached = { revision: kv.modRevision, json: JSON.stringify(registry.fromStored(kv)) };
  };
  /** A change made to whatever is current, as a patch is (the handlers drop its version). */
  const set = (data: Record<string, string>) => (cur: KubeObject | undefined) => {
    const { resourceVersion: _, ...metadata } = cur!.metadata!;
    return { ...cur!, metadata, data: { ...(cur as { data?: object }).data, ...data } };
  };
  const created = await registry.create(
    "default",
    { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "cm" }, data: { a: "1" } },
    ctx,
  );
  await snapshot();
  return { store, registry, key, snapshot, set, created, reads: () => cacheReads };
}

describe("updates that start from the watch cache", () => {
  it("use the cached copy when it is current", async () => {
    const t = await setup();
    let storeReads = 0;
    const get = t.store.get.bind(t.store);
    t.store.get = (...args) => {
      storeReads++;
      return get(...args);
    };
    const { object } = await t.registry.update("default", "cm", t.set({ b: "2" }), ctx);
    assert.deepEqual((object as { data?: object }).data, { a: "1", b: "2" });
    assert.equal(t.reads(), 1);
    assert.equal(storeReads, 0, "no Store read");
  });

  it("read the Store again after a write conflict with a stale copy", async () => {
    const t = await setup();
    await t.registry.update("default", "cm", t.set({ b: "2" }), ctx); // the copy is now stale
    const { object } = await t.registry.update("default", "cm", t.set({ c: "3" }), ctx);
    assert.deepEqual((object as { data?: object }).data, { a: "1", b: "2", c: "3" });
  });

  it("take a resourceVersion newer than the copy's from the Store, and refuse an old one", async () => {
    const t = await setup();
    const { object: second } = await t.registry.update("default", "cm", t.set({ b: "2" }), ctx);
    const rv = second.metadata!.resourceVersion!;
    const pinned = (data: Record<string, string>, resourceVersion: string) => () => ({
      ...second,
      metadata: { ...second.metadata, resourceVersion },
      data,
    });
    const { object } = await t.registry.update("default", "cm", pinned({ x: "1" }, rv), ctx);
    assert.deepEqual((object as { data?: object }).data, { x: "1" });
    await assert.rejects(
      t.registry.update("default", "cm", pinned({ y: "1" }, rv), ctx),
      (err: unknown) => isStatusError(err, "Conflict"),
    );
  });

  it("check a change that is none against the stale copy with the Store", async () => {
    const t = await setup();
    await t.registry.update("default", "cm", t.set({ b: "2" }), ctx);
    await t.snapshot(); // copy: b=2
    await t.registry.update("default", "cm", t.set({ b: "3" }), ctx); // Store: b=3
    // Against the copy, b=2 is no change; against the Store it is one.
    const { object } = await t.registry.update("default", "cm", t.set({ b: "2" }), ctx);
    assert.deepEqual((object as { data?: object }).data, { a: "1", b: "2" });
    const stored = t.registry.fromStored(await t.store.get(t.key)) as { data?: object };
    assert.deepEqual(stored.data, { a: "1", b: "2" });
  });
});
