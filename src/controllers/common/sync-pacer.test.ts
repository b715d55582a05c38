import assert from "node:assert/strict";
import { test } from "node:test";
import { WorkQueue } from "../../client/work-queue.ts";
import { FakeClock } from "../../machinery/clock.ts";
import { SyncPacer } from "./sync-pacer.ts";

function setup() {
  const clock = new FakeClock();
  const queue = new WorkQueue<string>({ clock });
  const pacer = new SyncPacer(queue, clock, { factor: 10, maxMs: 1000 });
  return { clock, queue, pacer };
}

test("a key whose syncs cost nothing is queued at once", () => {
  const { queue, pacer } = setup();
  pacer.add("ns/small");
  assert.equal(queue.length, 1);
  pacer.synced("ns/small", 0.05);
  pacer.add("ns/other");
  assert.equal(queue.length, 2);
});

test("after a costly sync, paced adds wait factor × cost, gathered into one", async () => {
  const { clock, queue, pacer } = setup();
  pacer.synced("ns/big", 20);
  for (let i = 0; i < 50; i++) pacer.add("ns/big");
  assert.equal(queue.length, 0);
  clock.advance(199);
  assert.equal(queue.length, 0);
  clock.advance(1);
  assert.equal(queue.length, 1);
  assert.equal(await queue.get(), "ns/big");
});

test("the pause is capped, and forgotten with its key", () => {
  const { clock, queue, pacer } = setup();
  pacer.synced("ns/huge", 5000);
  pacer.add("ns/huge");
  clock.advance(999);
  assert.equal(queue.length, 0);
  clock.advance(1);
  assert.equal(queue.length, 1);
  pacer.synced("ns/gone", 50);
  pacer.forget("ns/gone");
  pacer.add("ns/gone");
  assert.equal(queue.length, 2);
});
