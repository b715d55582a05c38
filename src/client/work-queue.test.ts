import assert from "node:assert/strict";
import { it } from "node:test";
import { FakeClock } from "../machinery/clock.ts";
import { WorkQueue } from "./work-queue.ts";

it("hands each key out once, deduplicating while queued", async () => {
  const q = new WorkQueue();
  q.add("a");
  q.add("b");
  q.add("a");
  assert.equal(q.length, 2);
  assert.equal(await q.get(), "a");
  assert.equal(await q.get(), "b");
});

it("re-queues a key added while it is processed, after done", async () => {
  const q = new WorkQueue();
  q.add("a");
  const key = await q.get();
  q.add("a");
  assert.equal(q.length, 0, "not handed to a second worker");
  q.done(key!);
  assert.equal(q.length, 1);
  assert.equal(await q.get(), "a");
});

it("backs off exponentially per key and forgets after success", () => {
  const clock = new FakeClock();
  const q = new WorkQueue({ clock, baseDelayMs: 10 });
  q.addRateLimited("a");
  q.addRateLimited("a");
  assert.equal(q.numRequeues("a"), 2);
  clock.advance(9);
  assert.equal(q.length, 0);
  clock.advance(1);
  assert.equal(q.length, 1);
  q.forget("a");
  assert.equal(q.numRequeues("a"), 0);
});

it("wakes waiting workers and releases them on shutdown", async () => {
  const q = new WorkQueue();
  const waiting = q.get();
  q.add("x");
  assert.equal(await waiting, "x");
  const blocked = q.get();
  q.shutDown();
  assert.equal(await blocked, undefined);
});
