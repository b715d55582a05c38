/**
 * The watch cache against a memory Store with a fake clock: the event window keeps fresh events
 * (and at least a minimum) and drops old ones, and a watcher from an older revision still sees
 * selector transitions computed from the event's previous labels.
 */
import assert from "node:assert/strict";
import { it } from "node:test";
import { builtinResources } from "../../api/kinds/index.ts";
import { FakeClock } from "../../machinery/clock.ts";
import { silentLogger } from "../../machinery/log.ts";
import { MemoryStore } from "../../storage/memory/memory-store.ts";
import type { Selection } from "../handlers/selectors.ts";
import { GenericRegistry } from "../registry/generic-registry.ts";
import type { CacheWatcher, WatcherEvent } from "./cache-watcher.ts";
import { WatchCache } from "./watch-cache.ts";

const definition = builtinResources.find((d) => d.plural === "configmaps" && !d.group)!;

async function setup(options: { capacity?: number; freshMs?: number; minEvents?: number }) {
  const store = new MemoryStore();
  const clock = new FakeClock();
  const registry = new GenericRegistry({
    store,
    clock,
    admission: undefined as never,
    definition,
  });
  const cache = new WatchCache({ registry, log: silentLogger, clock, ...options });
  const stop = new AbortController();
  const running = cache.run(stop.signal);
  const write = async (name: string, labels: Record<string, string> = {}) => {
    const key = registry.key("default", name);
    const value = new TextEncoder().encode(
      JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name, labels } }),
    );
    const current = await store.get(key).catch(() => undefined);
    const kv = current
      ? await store.update(key, value, current.modRevision)
      : await store.create(key, value);
    assert.ok(await cache.waitFor(kv.modRevision, 2000));
    return kv.modRevision;
  };
  return {
    cache,
    clock,
    write,
    async stop() {
      stop.abort();
      await running;
    },
  };
}

async function take(watcher: CacheWatcher, n: number): Promise<WatcherEvent[]> {
  const out: WatcherEvent[] = [];
  for await (const ev of watcher) {
    out.push(ev);
    if (out.length === n) break;
  }
  return out;
}

it("keeps fresh events, drops stale ones above the minimum, and never more than capacity", async () => {
  const t = await setup({ capacity: 5, freshMs: 1000, minEvents: 2 });
  await t.cache.waitFor(0, 2000);
  const revs: number[] = [];
  for (let i = 0; i < 4; i++) revs.push(await t.write(`a${i}`));
  assert.ok(t.cache.covers(revs[0]!), "fresh events are all kept");
  for (let i = 4; i < 7; i++) revs.push(await t.write(`a${i}`));
  assert.ok(!t.cache.covers(revs[0]!), "capacity bounds the window");
  assert.ok(t.cache.covers(revs[1]!));
  t.clock.advance(1500);
  const last = await t.write("a7");
  // All but the newest are stale: the minimum of two stays.
  assert.ok(!t.cache.covers(revs[4]!));
  assert.ok(t.cache.covers(revs[5]!));
  const watcher = t.cache.watch("", revs[6]!, {})!;
  assert.deepEqual(
    (await take(watcher, 1)).map((e) => [e.type, e.object.revision]),
    [["ADDED", last]],
  );
  await t.stop();
});

it("keeps exactly the newest `capacity` events while trimming in place, and replays them", async () => {
  const t = await setup({ capacity: 40, minEvents: 10 });
  await t.cache.waitFor(0, 2000);
  const revs: number[] = [];
  for (let i = 0; i < 130; i++) revs.push(await t.write(`b${i % 7}`, { i: String(i) }));
  // The window holds the last 40 events: a watcher may start after the 90th, not before.
  assert.ok(!t.cache.covers(revs[88]!));
  assert.ok(t.cache.covers(revs[89]!));
  const watcher = t.cache.watch("", revs[100]!, {})!;
  const replayed = await take(watcher, 29);
  assert.deepEqual(
    replayed.map((e) => e.object.revision),
    revs.slice(101),
  );
  await t.stop();
});

it("turns label changes from an older revision into ADDED and DELETED for a selector", async () => {
  const t = await setup({});
  await t.cache.waitFor(0, 2000);
  const from = await t.write("x");
  await t.write("x", { tier: "front" });
  await t.write("x", { tier: "back" });
  const matches = (s: Selection) => s.labels.tier === "front";
  const watcher = t.cache.watch("default", from, { matches })!;
  assert.deepEqual(
    (await take(watcher, 2)).map((e) => e.type),
    ["ADDED", "DELETED"],
  );
  await t.stop();
});

it("hands a watcher what queued up as one batch, in order, then waits for more", async () => {
  const t = await setup({});
  await t.cache.waitFor(0, 2000);
  const from = await t.write("b0");
  const watcher = t.cache.watch("", from, {})!;
  const revs = [await t.write("b1"), await t.write("b2"), await t.write("b1")];
  const batches = watcher.batches();
  const first = await batches.next();
  assert.deepEqual(
    first.value?.map((e: WatcherEvent) => [e.type, e.object.revision]),
    [
      ["ADDED", revs[0]],
      ["ADDED", revs[1]],
      ["MODIFIED", revs[2]],
    ],
  );
  const second = batches.next();
  const later = await t.write("b3");
  assert.deepEqual(
    (await second).value?.map((e: WatcherEvent) => e.object.revision),
    [later],
  );
  await batches.return(undefined);
  await t.stop();
});
