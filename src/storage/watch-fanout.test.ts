import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { take } from "./contract.ts";
import { MemoryStore } from "./memory/memory-store.ts";
import type { Store, WatchOptions } from "./store.ts";
import { WatchFanout } from "./watch-fanout.ts";

const bytes = (s: string) => new TextEncoder().encode(s);

/** Counts the watches that reach the backend. */
function counting(store: Store) {
  const stats = { opened: 0 };
  const watched: Pick<Store, "watch"> = {
    watch(prefix: string, options: WatchOptions) {
      stats.opened++;
      return store.watch(prefix, options);
    },
  };
  return { watched, stats };
}

describe("WatchFanout", () => {
  it("serves many watchers of one prefix from one backend watch", async () => {
    const store = new MemoryStore();
    const { watched, stats } = counting(store);
    const fanout = new WatchFanout(watched);
    const from = await store.currentRevision();
    const watches = Array.from({ length: 100 }, () => fanout.watch("/p/", { afterRevision: from }));
    await store.create("/p/a", bytes("1"));
    await store.create("/q/b", bytes("elsewhere"));
    await store.create("/p/c", bytes("2"));
    for (const w of watches) {
      const events = await take(w, 2);
      assert.deepEqual(
        events.map((e) => e.kv.key),
        ["/p/a", "/p/c"],
      );
    }
    assert.equal(stats.opened, 1);
    assert.equal(fanout.backendWatches, 1);
    for (const w of watches) w.close();
    assert.equal(fanout.backendWatches, 0);
    await store.close();
  });

  it("replays recent events to a late joiner from its window", async () => {
    const store = new MemoryStore();
    const { watched, stats } = counting(store);
    const fanout = new WatchFanout(watched);
    const first = fanout.watch("/p/", { afterRevision: await store.currentRevision() });
    const a = await store.create("/p/a", bytes("1"));
    await store.create("/p/b", bytes("2"));
    await take(first, 2);
    const late = fanout.watch("/p/", { afterRevision: a.modRevision });
    const [ev] = await take(late, 1);
    assert.equal(ev!.kv.key, "/p/b");
    assert.equal(stats.opened, 1);
    first.close();
    late.close();
    await store.close();
  });

  it("gives a watcher older than the window a backend watch of its own", async () => {
    const store = new MemoryStore();
    const { watched, stats } = counting(store);
    const fanout = new WatchFanout(watched, { windowSize: 2 });
    const start = await store.currentRevision();
    const first = fanout.watch("/p/", { afterRevision: start });
    for (const n of ["a", "b", "c", "d"]) await store.create(`/p/${n}`, bytes(n));
    await take(first, 4);
    const old = fanout.watch("/p/", { afterRevision: start });
    const events = await take(old, 4);
    assert.deepEqual(
      events.map((e) => e.kv.key),
      ["/p/a", "/p/b", "/p/c", "/p/d"],
    );
    assert.equal(stats.opened, 2);
    first.close();
    old.close();
    await store.close();
  });
});
