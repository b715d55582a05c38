import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { afterEach, beforeEach, describe, it } from "node:test";
import { FakeClock } from "../../machinery/clock.ts";
import { storeContract } from "../contract.ts";
import type { KeyValue } from "../store.ts";
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

describe("sqlite: newest rows kept in memory", () => {
  const text = (kv: KeyValue) => new TextDecoder().decode(kv.value);
  const bytes = (s: string) => new TextEncoder().encode(s);
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "bosun-sqlite-latest-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("answer as the database does, for keys kept and keys let go", async () => {
    const path = join(dir, "state.db");
    const store = new SqliteStore({ path, clock: new FakeClock() });
    // More keys than the store keeps rows of: the first ones are read back from SQLite.
    const keys = Array.from({ length: 2500 }, (_, i) => `/t/k${String(i).padStart(5, "0")}`);
    const created = await Promise.all(keys.map((k) => store.create(k, bytes(`${k}=1`))));
    for (const i of [0, 1, 2497, 2498]) {
      const kv = await store.update(keys[i]!, bytes(`${keys[i]}=2`), created[i]!.modRevision);
      assert.equal(kv.createRevision, created[i]!.createRevision);
    }
    await store.delete(keys[2]!);
    await store.delete(keys[2499]!);
    await assert.rejects(store.update(keys[1]!, bytes("stale"), created[1]!.modRevision), {
      reason: "Conflict",
    });
    /** What `get` says of every key: revisions and value, or the error's reason. */
    const answers = (from: SqliteStore) =>
      Promise.all(
        keys.map((k) =>
          from.get(k).then(
            (kv) => `${kv.modRevision}/${kv.createRevision}/${text(kv)}`,
            (err) => err.reason,
          ),
        ),
      );
    const seen = await answers(store);
    await store.close();
    const reopened = new SqliteStore({ path, clock: new FakeClock(), namesPage: 100 });
    await reopened.namesLoaded;
    const fromDisk = await answers(reopened);
    // A reopened store knows every name on disk (its key filter is built from them).
    await assert.rejects(reopened.create(keys[5]!, bytes("again")), { reason: "AlreadyExists" });
    const recreated = await reopened.create(keys[2]!, bytes("new"));
    assert.equal(recreated.createRevision, recreated.modRevision);
    await reopened.close();
    assert.deepEqual(seen, fromDisk);
    assert.equal(seen[2], "NotFound");
    assert.match(seen[2498]!, /=2$/);
  });

  it("forget the rows of a batch that rolled back", async () => {
    const store = new SqliteStore({ path: join(dir, "state.db"), clock: new FakeClock() });
    const a = await store.create("/t/a", bytes("1"));
    // One batch: a good update, then a write SQLite refuses (a value it cannot bind).
    const [good, bad] = await Promise.allSettled([
      store.update("/t/a", bytes("2"), a.modRevision),
      store.create("/t/b", { not: "bytes" } as unknown as Uint8Array),
    ]);
    assert.equal(good.status === "rejected" && good.reason.reason, "Unavailable");
    assert.equal(bad.status === "rejected" && bad.reason.reason, "Unavailable");
    const now = await store.get("/t/a");
    assert.equal(text(now), "1");
    assert.equal(now.modRevision, a.modRevision);
    const next = await store.update("/t/a", bytes("3"), a.modRevision);
    assert.equal(next.modRevision, a.modRevision + 1);
    await store.close();
  });

  it("leave nothing in memory of a transaction the writer could not commit", async () => {
    const path = join(dir, "state.db");
    const store = new SqliteStore({ path, clock: new FakeClock() });
    const base = await store.create("/t/a", bytes("1"));
    const events: string[] = [];
    const abort = new AbortController();
    const watching = (async () => {
      for await (const ev of store.watch("/t/", {
        afterRevision: base.modRevision,
        signal: abort.signal,
      })) {
        if (ev.type !== "progress") events.push(`${ev.type} ${text(ev.kv)}`);
      }
    })();
    // Another connection takes the next revision's row id, so the writer's commit fails.
    const other = new DatabaseSync(path);
    other.exec("PRAGMA busy_timeout = 5000");
    other
      .prepare(
        "INSERT INTO kv (id, name, created, deleted, create_revision, prev_revision, lease, value) VALUES (?, '/x/squat', 1, 0, ?, 0, 0, x'')",
      )
      .run(base.modRevision + 1, base.modRevision + 1);
    await assert.rejects(store.update("/t/a", bytes("2"), base.modRevision), {
      reason: "Unavailable",
      message: /commit failed/,
    });
    other.prepare("DELETE FROM kv WHERE name = '/x/squat'").run();
    other.close();
    assert.equal(await store.currentRevision(), base.modRevision);
    assert.equal(text(await store.get("/t/a")), "1");
    const next = await store.update("/t/a", bytes("3"), base.modRevision);
    assert.equal(next.modRevision, base.modRevision + 1);
    assert.equal(text(await store.get("/t/a")), "3");
    await new Promise((r) => setTimeout(r, 20));
    abort.abort();
    await watching;
    // Watchers saw the committed write only.
    assert.deepEqual(events, ["update 3"]);
    await store.close();
  });

  it("keep leases across a reopen, and never hand out an id again", async () => {
    const path = join(dir, "state.db");
    const first = new SqliteStore({ path, clock: new FakeClock() });
    const kept = await first.grantLease(60);
    const gone = await first.grantLease(60);
    await first.create("/t/a", bytes("1"), { lease: kept });
    await first.revokeLease(gone);
    await first.close();
    const store = new SqliteStore({ path, clock: new FakeClock() });
    await store.keepAliveLease(kept);
    await assert.rejects(store.keepAliveLease(gone), { reason: "NotFound" });
    const next = await store.grantLease(60);
    assert.ok(next > gone, `lease ${next} after ${gone}`);
    await store.revokeLease(kept);
    await assert.rejects(store.get("/t/a"), { reason: "NotFound" });
    await store.close();
  });

  it("create a key again after compaction removed its tombstone", async () => {
    const store = new SqliteStore({ path: join(dir, "state.db"), clock: new FakeClock() });
    const first = await store.create("/t/a", bytes("1"));
    await store.delete("/t/a");
    await store.compact(await store.currentRevision());
    await assert.rejects(store.get("/t/a"), { reason: "NotFound" });
    const again = await store.create("/t/a", bytes("2"));
    assert.equal(again.createRevision, again.modRevision);
    // The create, the tombstone, then the new create.
    assert.equal(again.modRevision, first.modRevision + 2);
    assert.equal(text(await store.get("/t/a")), "2");
    await store.close();
  });
});
