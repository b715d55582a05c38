import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { FakeClock } from "../../machinery/clock.ts";
import { storeContract } from "../contract.ts";
import { isStoreError } from "../errors.ts";
import { withWatchFanout } from "../watch-fanout.ts";
import { SqliteStore } from "./sqlite-store.ts";

function harness(wrap: boolean) {
  const clock = new FakeClock();
  const dir = mkdtempSync(join(tmpdir(), "bosun-sqlite-"));
  return {
    minLeaseTtl: 1,
    async open() {
      const store = new SqliteStore({ path: join(dir, "state.db"), clock });
      return { store: wrap ? withWatchFanout(store) : store, root: "/t" };
    },
    async elapse(ms: number) {
      clock.advance(ms);
      await new Promise((r) => setTimeout(r, 5));
    },
    async teardown() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

storeContract("sqlite", harness(false));
storeContract("sqlite with watch fan-out", harness(true));

describe("SQLite store syncs the WAL off the event loop", () => {
  const dir = mkdtempSync(join(tmpdir(), "bosun-sqlite-sync-"));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const enc = (s: string) => new TextEncoder().encode(s);

  /** A store whose WAL syncs wait until the test lets them finish (or fail). */
  function heldSyncs(name: string) {
    const pending: Array<(err: Error | null) => void> = [];
    const syncedFds: number[] = [];
    const store = new SqliteStore({
      path: join(dir, name),
      syncFile: (fd, done) => {
        syncedFds.push(fd);
        pending.push(done);
      },
    });
    const settle = () => new Promise((r) => setTimeout(r, 20));
    return { store, pending, syncedFds, settle };
  }

  it("acknowledges writes and tells watchers only after the sync, in commit order", async () => {
    const { store, pending, syncedFds, settle } = heldSyncs("order.db");
    const seen: string[] = [];
    const watch = store.watch("/o/", { afterRevision: 0 });
    void (async () => {
      for await (const item of watch) if (item.type !== "progress") seen.push(item.kv.key);
    })();
    const acked: string[] = [];
    const first = store.create("/o/a", enc("1")).then(() => acked.push("a"));
    await settle();
    // The first transaction is committed and syncing; the next waits for its own sync.
    const second = store.create("/o/b", enc("2")).then(() => acked.push("b"));
    await settle();
    assert.equal(pending.length, 1, "one sync at a time");
    assert.deepEqual(acked, []);
    assert.deepEqual(seen, []);
    pending.shift()!(null);
    await first;
    await settle();
    assert.deepEqual(acked, ["a"]);
    assert.deepEqual(seen, ["/o/a"]);
    assert.equal(pending.length, 1, "the second transaction's sync started");
    pending.shift()!(null);
    await second;
    await settle();
    assert.deepEqual(acked, ["a", "b"]);
    assert.deepEqual(seen, ["/o/a", "/o/b"]);
    assert.ok(
      syncedFds.every((fd) => fd === syncedFds[0] && fd > 2),
      "the WAL file is synced",
    );
    watch.close();
    await store.close();
  });

  it("fails the writes a failed sync covered, and every later call, with Unavailable", async () => {
    const { store, pending, settle } = heldSyncs("fail.db");
    const write = store.create("/f/a", enc("1"));
    await settle();
    pending.shift()!(new Error("EIO: i/o error, fdatasync"));
    await assert.rejects(write, (err: unknown) => isStoreError(err, "Unavailable"));
    await assert.rejects(store.create("/f/b", enc("2")), /syncing the database failed: EIO/);
    await assert.rejects(store.get("/f/a"), /syncing the database failed/);
    await store.close();
  });

  it("syncs with fdatasync by default: writes are acknowledged and survive a reopen", async () => {
    const path = join(dir, "real.db");
    const store = new SqliteStore({ path });
    const writes = await Promise.all(
      Array.from({ length: 50 }, (_, i) => store.create(`/r/${i}`, enc(String(i)))),
    );
    assert.equal(new Set(writes.map((kv) => kv.modRevision)).size, 50);
    await store.close();
    const reopened = new SqliteStore({ path });
    assert.equal(await reopened.count("/r/"), 50);
    await reopened.close();
  });
});
