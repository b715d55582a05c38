/**
 * The Store contract: one suite of behaviour every backend must pass. Each backend's test file
 * calls `storeContract` with a harness that makes stores and moves time.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { isStoreError, type StoreErrorReason } from "./errors.ts";
import type { KeyValue, ProgressNotice, Store, Watch, WatchEvent, WatchItem } from "./store.ts";

export interface ContractHarness {
  /** A store for one test, and a key prefix no other test uses. */
  open(): Promise<{ store: Store; root: string }>;
  /** Lets at least `ms` milliseconds pass for lease expiry (a fake clock may just advance). */
  elapse(ms: number): Promise<void>;
  /** Smallest lease TTL the backend honours, in seconds. */
  readonly minLeaseTtl: number;
  /** Called once after the suite. */
  teardown?(): Promise<void>;
}

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);
const text = (b: Uint8Array): string => new TextDecoder().decode(b);

export async function rejectsWith(p: Promise<unknown>, reason: StoreErrorReason): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    assert.ok(isStoreError(err, reason), `expected ${reason}, got ${String(err)}`);
    return err;
  }
  assert.fail(`expected ${reason}, but the call succeeded`);
}

const iterators = new WeakMap<Watch, AsyncIterator<WatchItem>>();

/** Takes the next `n` events from a watch (which stays open), failing after `timeoutMs`. */
export async function take(watch: Watch, n: number, timeoutMs = 10_000): Promise<WatchEvent[]> {
  let it = iterators.get(watch);
  if (!it) {
    it = watch[Symbol.asyncIterator]();
    iterators.set(watch, it);
  }
  const out: WatchEvent[] = [];
  const timer = setTimeout(() => watch.close(), timeoutMs);
  try {
    while (out.length < n) {
      const r = await it.next();
      if (r.done) break;
      if (r.value.type !== "progress") out.push(r.value);
    }
  } finally {
    clearTimeout(timer);
  }
  assert.equal(out.length, n, `watch delivered ${out.length} of ${n} events`);
  return out;
}

async function waitFor(check: () => Promise<boolean>, harness: ContractHarness, ms: number) {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail("condition not met in time");
    await harness.elapse(100);
  }
}

export function storeContract(name: string, harness: ContractHarness): void {
  describe(`Store contract: ${name}`, () => {
    let store: Store;
    let root: string;
    const k = (s: string) => `${root}/${s}`;

    before(async () => {
      ({ store, root } = await harness.open());
    });
    after(async () => {
      await store.close();
      await harness.teardown?.();
    });

    it("creates a key and reads it back at a new revision", async () => {
      const before = await store.currentRevision();
      const kv = await store.create(k("create/a"), bytes("one"));
      assert.equal(kv.key, k("create/a"));
      assert.equal(kv.createRevision, kv.modRevision);
      assert.ok(kv.modRevision > before);
      assert.equal(await store.currentRevision(), kv.modRevision);
      const got = await store.get(k("create/a"));
      assert.equal(text(got.value), "one");
      assert.equal(got.modRevision, kv.modRevision);
    });

    it("refuses to create an existing key and writes nothing", async () => {
      await store.create(k("dup/a"), bytes("first"));
      const rev = await store.currentRevision();
      await rejectsWith(store.create(k("dup/a"), bytes("second")), "AlreadyExists");
      assert.equal(await store.currentRevision(), rev);
      assert.equal(text((await store.get(k("dup/a"))).value), "first");
    });

    it("reports NotFound for a missing key", async () => {
      await rejectsWith(store.get(k("missing")), "NotFound");
      await rejectsWith(store.update(k("missing"), bytes("x"), 1), "NotFound");
      await rejectsWith(store.delete(k("missing")), "NotFound");
    });

    it("advances the revision by one per write", async () => {
      const a = await store.create(k("seq/a"), bytes("1"));
      const b = await store.update(k("seq/a"), bytes("2"), a.modRevision);
      const c = await store.create(k("seq/b"), bytes("3"));
      assert.equal(b.modRevision, a.modRevision + 1);
      assert.equal(c.modRevision, b.modRevision + 1);
    });

    it("guards updates with the expected modification revision", async () => {
      const v1 = await store.create(k("upd/a"), bytes("v1"));
      const v2 = await store.update(k("upd/a"), bytes("v2"), v1.modRevision);
      assert.equal(v2.createRevision, v1.createRevision);
      assert.ok(v2.modRevision > v1.modRevision);
      const err = await rejectsWith(
        store.update(k("upd/a"), bytes("v3"), v1.modRevision),
        "Conflict",
      );
      const current = (err as { current?: KeyValue }).current;
      assert.equal(current?.modRevision, v2.modRevision);
      assert.equal(text(current!.value), "v2");
      assert.equal(text((await store.get(k("upd/a"))).value), "v2");
    });

    it("guards deletes and returns the deleted value", async () => {
      const v1 = await store.create(k("del/a"), bytes("v1"));
      const v2 = await store.update(k("del/a"), bytes("v2"), v1.modRevision);
      await rejectsWith(store.delete(k("del/a"), { expectedRevision: v1.modRevision }), "Conflict");
      const gone = await store.delete(k("del/a"), { expectedRevision: v2.modRevision });
      assert.equal(text(gone.value), "v2");
      assert.equal(gone.modRevision, v2.modRevision);
      await rejectsWith(store.get(k("del/a")), "NotFound");
      await store.create(k("del/b"), bytes("b"));
      assert.equal(text((await store.delete(k("del/b"))).value), "b");
    });

    it("gives a re-created key a new create revision", async () => {
      const v1 = await store.create(k("re/a"), bytes("1"));
      await store.delete(k("re/a"));
      const v2 = await store.create(k("re/a"), bytes("2"));
      assert.ok(v2.createRevision > v1.createRevision);
      assert.equal(v2.createRevision, v2.modRevision);
    });

    it("keeps binary values intact", async () => {
      const value = new Uint8Array(4096).map((_, i) => (i * 7) % 256);
      await store.create(k("bin/a"), value);
      assert.deepEqual(new Uint8Array((await store.get(k("bin/a"))).value), value);
      await store.create(k("bin/empty"), new Uint8Array(0));
      assert.equal((await store.get(k("bin/empty"))).value.length, 0);
    });

    it("lists a prefix in key order, without deleted keys or neighbours", async () => {
      for (const name of ["c", "a", "b", "d"]) await store.create(k(`ls/x/${name}`), bytes(name));
      await store.create(k("ls/xy/a"), bytes("neighbour"));
      await store.create(k("ls/x"), bytes("the prefix itself without slash"));
      await store.delete(k("ls/x/d"));
      const res = await store.list(k("ls/x/"));
      assert.deepEqual(
        res.items.map((i) => i.key),
        [k("ls/x/a"), k("ls/x/b"), k("ls/x/c")],
      );
      assert.equal(res.continue, undefined);
      assert.ok(res.revision >= Math.max(...res.items.map((i) => i.modRevision)));
      assert.equal(await store.count(k("ls/x/")), 3);
      assert.equal((await store.list(k("ls/none/"))).items.length, 0);
    });

    it("pages through a list at one revision", async () => {
      const names = ["a", "b", "c", "d", "e"];
      for (const n of names) await store.create(k(`page/${n}`), bytes(n));
      const first = await store.list(k("page/"), { limit: 2 });
      assert.equal(first.items.length, 2);
      assert.ok(first.continue);
      await store.create(k("page/bb"), bytes("written between pages"));
      await store.delete(k("page/e"));
      const seen = [...first.items];
      let token: string | undefined = first.continue;
      while (token) {
        const page = await store.list(k("page/"), { limit: 2, continue: token });
        assert.equal(page.revision, first.revision);
        seen.push(...page.items);
        token = page.continue;
      }
      assert.deepEqual(
        seen.map((i) => text(i.value)),
        names,
      );
      const now = await store.list(k("page/"));
      assert.deepEqual(
        now.items.map((i) => text(i.value)),
        ["a", "b", "written between pages", "c", "d"],
      );
    });

    it("rejects a malformed continue token", async () => {
      await rejectsWith(store.list(k("page/"), { continue: "not-a-token" }), "InvalidArgument");
    });

    it("reads a key and a list as of a past revision", async () => {
      const v1 = await store.create(k("past/a"), bytes("v1"));
      await store.update(k("past/a"), bytes("v2"), v1.modRevision);
      await store.delete(k("past/a"));
      assert.equal(text((await store.get(k("past/a"), { revision: v1.modRevision })).value), "v1");
      const old = await store.list(k("past/"), { revision: v1.modRevision });
      assert.deepEqual(
        old.items.map((i) => text(i.value)),
        ["v1"],
      );
      assert.equal(old.revision, v1.modRevision);
    });

    it("watches creates, updates and deletes in order, with previous values", async () => {
      const start = await store.currentRevision();
      const w = store.watch(k("w1/"), { afterRevision: start });
      const a = await store.create(k("w1/a"), bytes("1"));
      await store.create(k("w1x/ignored"), bytes("not under the prefix"));
      const a2 = await store.update(k("w1/a"), bytes("2"), a.modRevision);
      await store.delete(k("w1/a"));
      const events = await take(w, 3);
      w.close();
      assert.deepEqual(
        events.map((e) => e.type),
        ["create", "update", "delete"],
      );
      assert.equal(text(events[0]!.kv.value), "1");
      assert.equal(text(events[1]!.kv.value), "2");
      assert.equal(text(events[1]!.prev!.value), "1");
      assert.equal(events[2]!.kv.key, k("w1/a"));
      assert.equal(text(events[2]!.prev!.value), "2");
      assert.equal(events[2]!.prev!.modRevision, a2.modRevision);
      assert.ok(events[2]!.kv.modRevision > a2.modRevision);
    });

    it("replays history when a watch starts in the past", async () => {
      const start = await store.currentRevision();
      const a = await store.create(k("w2/a"), bytes("1"));
      await store.update(k("w2/a"), bytes("2"), a.modRevision);
      await store.create(k("w2/b"), bytes("3"));
      const w = store.watch(k("w2/"), { afterRevision: start });
      const replayed = await take(w, 3);
      await store.delete(k("w2/b"));
      const [live] = await take(w, 1);
      w.close();
      assert.deepEqual(
        replayed.map((e) => [e.type, text(e.kv.value)]),
        [
          ["create", "1"],
          ["update", "2"],
          ["create", "3"],
        ],
      );
      assert.equal(live!.type, "delete");
      const from = store.watch(k("w2/"), { afterRevision: a.modRevision });
      const partial = await take(from, 2);
      from.close();
      assert.deepEqual(
        partial.map((e) => e.type),
        ["update", "create"],
      );
    });

    it("delivers every event of concurrent writers exactly once, in revision order", async () => {
      const start = await store.currentRevision();
      const w = store.watch(k("w3/"), { afterRevision: start });
      const n = 300;
      await Promise.all(
        Array.from({ length: n }, (_, i) => store.create(k(`w3/${i}`), bytes(String(i)))),
      );
      const events = await take(w, n);
      w.close();
      const revs = events.map((e) => e.kv.modRevision);
      assert.deepEqual(
        revs,
        [...revs].sort((x, y) => x - y),
      );
      assert.equal(new Set(events.map((e) => e.kv.key)).size, n);
    });

    it("ends a watch when its signal aborts", async () => {
      const ac = new AbortController();
      const w = store.watch(k("w4/"), {
        afterRevision: await store.currentRevision(),
        signal: ac.signal,
      });
      const done = (async () => {
        const seen: WatchEvent[] = [];
        for await (const ev of w) if (ev.type !== "progress") seen.push(ev);
        return seen;
      })();
      await store.create(k("w4/a"), bytes("1"));
      await new Promise((r) => setTimeout(r, 100));
      ac.abort();
      const seen = await done;
      assert.ok(seen.length <= 1);
    });

    it("answers a progress request with a revision past writes elsewhere", async () => {
      const w = store.watch(k("prog/a/"), {
        afterRevision: await store.currentRevision(),
        progressNotify: true,
      });
      const it = w[Symbol.asyncIterator]();
      const elsewhere = await store.create(k("prog/b/x"), bytes("x"));
      const nextProgress = async (): Promise<ProgressNotice> => {
        const timeout = setTimeout(() => w.close(), 10_000);
        try {
          for (;;) {
            const r = await it.next();
            assert.ok(!r.done, "no progress notice arrived");
            if (r.value.type === "progress") return r.value;
          }
        } finally {
          clearTimeout(timeout);
        }
      };
      let seen: ProgressNotice;
      do {
        w.requestProgress();
        seen = await nextProgress();
      } while (seen.revision < elsewhere.modRevision);
      assert.ok(seen.revision >= elsewhere.modRevision);
      w.close();
    });

    it("forgets compacted history and says so", async () => {
      const v1 = await store.create(k("cmp/a"), bytes("v1"));
      const v2 = await store.update(k("cmp/a"), bytes("v2"), v1.modRevision);
      await store.create(k("cmp/b"), bytes("b"));
      const v3 = await store.update(k("cmp/a"), bytes("v3"), v2.modRevision);
      await store.compact(v3.modRevision - 1);
      await rejectsWith(store.get(k("cmp/a"), { revision: v1.modRevision }), "Compacted");
      await rejectsWith(store.list(k("cmp/"), { revision: v1.modRevision }), "Compacted");
      const stale = store.watch(k("cmp/"), { afterRevision: v1.modRevision - 1 });
      await rejectsWith(take(stale, 1), "Compacted");
      assert.equal(text((await store.get(k("cmp/a"))).value), "v3");
      const atCompact = await store.list(k("cmp/"), { revision: v3.modRevision - 1 });
      assert.deepEqual(
        atCompact.items.map((i) => text(i.value)),
        ["v2", "b"],
      );
      const fresh = store.watch(k("cmp/"), { afterRevision: v3.modRevision - 1 });
      const [ev] = await take(fresh, 1);
      fresh.close();
      assert.equal(ev!.type, "update");
      assert.equal(text(ev!.prev!.value), "v2");
      await store.compact(v1.modRevision);
    });

    it("deletes a lease's keys when it expires, with delete events", async () => {
      const lease = await store.grantLease(harness.minLeaseTtl);
      const w = store.watch(k("lease/"), { afterRevision: await store.currentRevision() });
      await store.create(k("lease/a"), bytes("a"), { lease });
      await store.create(k("lease/keep"), bytes("no lease"));
      const [created] = await take(w, 2);
      assert.equal(created!.kv.lease, lease);
      await waitFor(
        async () => (await store.list(k("lease/"))).items.length === 1,
        harness,
        harness.minLeaseTtl * 1000 + 10_000,
      );
      const [expired] = await take(w, 1);
      w.close();
      assert.equal(expired!.type, "delete");
      assert.equal(expired!.kv.key, k("lease/a"));
      await rejectsWith(store.keepAliveLease(lease), "NotFound");
    });

    it("keeps a lease alive on demand and revokes it", async () => {
      const lease = await store.grantLease(60);
      await store.create(k("lease2/a"), bytes("a"), { lease });
      await store.keepAliveLease(lease);
      await store.revokeLease(lease);
      await rejectsWith(store.get(k("lease2/a")), "NotFound");
      await rejectsWith(store.create(k("lease2/b"), bytes("b"), { lease }), "InvalidArgument");
    });
  });
}
