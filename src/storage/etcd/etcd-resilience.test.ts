/**
 * The etcd backend under member failures: it keeps working across a member restart (watches
 * resume without losing events) and reports Unavailable, without hanging, when quorum is lost.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { rejectsWith, take } from "../contract.ts";
import { EtcdCluster } from "../testing/etcd-harness.ts";
import { EtcdStore } from "./etcd-store.ts";

const bytes = (s: string) => new TextEncoder().encode(s);

async function eventually<T>(fn: () => Promise<T>, ms: number): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

describe("etcd store resilience", () => {
  it("keeps working when its etcd member restarts, and the watch loses nothing", async () => {
    const cluster = await EtcdCluster.start(1);
    const store = new EtcdStore({ endpoints: cluster.endpoints, timeoutMs: 2000 });
    try {
      const w = store.watch("/r/", { afterRevision: await store.currentRevision() });
      await store.create("/r/before", bytes("1"));
      await cluster.kill(0);
      const started = Date.now();
      await rejectsWith(store.create("/r/down", bytes("x")), "Unavailable");
      assert.ok(Date.now() - started < 3000, "a write to a stopped etcd must fail fast");
      cluster.restart(0);
      await eventually(() => store.create("/r/after", bytes("2")), 10_000);
      const events = await take(w, 2);
      w.close();
      assert.deepEqual(
        events.map((e) => e.kv.key),
        ["/r/before", "/r/after"],
      );
    } finally {
      await store.close();
      await cluster.stop();
    }
  });

  it("reports Unavailable, without hanging, when quorum is lost, and recovers", async () => {
    const cluster = await EtcdCluster.start(3);
    const store = new EtcdStore({ endpoints: [cluster.endpoints[0]!], timeoutMs: 2000 });
    try {
      await store.create("/q/a", bytes("1"));
      await cluster.kill(1);
      // Two of three still form a quorum (after an election if the leader was killed).
      await eventually(() => store.create("/q/b", bytes("2")), 10_000);
      await cluster.kill(2);
      const started = Date.now();
      await rejectsWith(store.create("/q/c", bytes("3")), "Unavailable");
      await rejectsWith(store.get("/q/a"), "Unavailable");
      assert.ok(Date.now() - started < 6000, `took ${Date.now() - started} ms to report`);
      cluster.restart(1);
      await eventually(() => store.create("/q/d", bytes("4")), 15_000);
      // A write that timed out has an unknown outcome, as in etcd itself: "/q/c" may have been
      // committed once quorum returned. Everything acknowledged must be there.
      const keys = (await store.list("/q/")).items.map((kv) => kv.key);
      for (const key of ["/q/a", "/q/b", "/q/d"]) assert.ok(keys.includes(key), `${key} missing`);
    } finally {
      await store.close();
      await cluster.stop();
    }
  });
});
