import assert from "node:assert/strict";
import { getEventListeners } from "node:events";
import { test } from "node:test";
import type { Pod } from "../../api/generated/types.ts";
import { FakeClock } from "../../machinery/clock.ts";
import type { ClusterEvent } from "../framework/interface.ts";
import { makePod, podInfo } from "../testing/fixtures.ts";
import { Heap } from "./heap.ts";
import { type QueuedPodInfo, SchedulingQueue } from "./scheduling-queue.ts";

function newQueue(pluginEvents: [string, ClusterEvent[]][] = []) {
  const clock = new FakeClock();
  const infos = new WeakMap<Pod, ReturnType<typeof podInfo>>();
  const queue = new SchedulingQueue({
    clock,
    podInfo: (p) => {
      const i = infos.get(p) ?? podInfo(p);
      infos.set(p, i);
      return i;
    },
    pluginEvents: new Map(pluginEvents),
  });
  return { clock, queue };
}

const fail = (queue: SchedulingQueue, q: QueuedPodInfo, plugins: string[] = []) =>
  queue.addUnschedulableIfNotPresent(
    { ...q, unschedulablePlugins: new Set(plugins) },
    queue.schedulingCycle,
  );

test("heap: ordered pops, update in place, delete by key", () => {
  const h = new Heap<{ k: string; v: number }>(
    (x) => x.k,
    (a, b) => a.v < b.v,
  );
  for (const [k, v] of [
    ["a", 5],
    ["b", 1],
    ["c", 3],
    ["d", 4],
  ] as const)
    h.addOrUpdate({ k, v });
  h.addOrUpdate({ k: "a", v: 0 });
  h.delete("c");
  assert.deepEqual(
    [h.pop(), h.pop(), h.pop(), h.pop()].map((x) => x?.k),
    ["a", "b", "d", undefined],
  );
});

test("activeQ: higher priority first, then first come", () => {
  const { clock, queue } = newQueue();
  queue.add(makePod("low", { priority: 1 }));
  clock.advance(1);
  queue.add(makePod("high-late", { priority: 10 }));
  queue.add(makePod("mid", { priority: 5 }));
  clock.advance(1);
  queue.add(makePod("high-later", { priority: 10 }));
  const order = [1, 2, 3, 4].map(() => queue.tryPop()?.podInfo.name);
  assert.deepEqual(order, ["high-late", "high-later", "mid", "low"]);
  assert.equal(queue.tryPop(), undefined);
});

test("unschedulable pods wait for an event one of their plugins registered", () => {
  const { queue } = newQueue([["NodeResourcesFit", [{ resource: "Node", action: "Add" }]]]);
  queue.add(makePod("p"));
  const q = queue.tryPop();
  assert.ok(q);
  queue.moveAllToActiveOrBackoffQueue({ resource: "Node", action: "Add" }); // during its cycle
  fail(queue, q, ["NodeResourcesFit"]);
  assert.deepEqual(queue.pendingPods(), { active: 0, backoff: 1, unschedulable: 0 });
});

test("back-off: 1 s after the first failure, doubling, at most 10 s", () => {
  const { clock, queue } = newQueue([["NodeResourcesFit", [{ resource: "Node", action: "Add" }]]]);
  queue.add(makePod("p"));
  const waits: number[] = [];
  for (let attempt = 1; attempt <= 6; attempt++) {
    const q = queue.tryPop();
    assert.ok(q, `attempt ${attempt}`);
    fail(queue, q, ["NodeResourcesFit"]);
    assert.equal(queue.pendingPods().unschedulable, 1);
    queue.moveAllToActiveOrBackoffQueue({ resource: "PersistentVolume", action: "Add" });
    assert.equal(queue.pendingPods().unschedulable, 1, "an unrelated event does not move it");
    queue.moveAllToActiveOrBackoffQueue({ resource: "Node", action: "Add" });
    let waited = 0;
    while (queue.pendingPods().active === 0) {
      clock.advance(100);
      waited += 100;
      queue.flushBackoffQCompleted();
    }
    waits.push(waited);
  }
  assert.deepEqual(waits, [1000, 2000, 4000, 8000, 10000, 10000]);
});

test("leftover unschedulable pods return after 5 minutes; gated pods wait for their gates", () => {
  const { clock, queue } = newQueue();
  queue.add(makePod("p"));
  const q = queue.tryPop();
  assert.ok(q);
  fail(queue, q, ["Something"]);
  clock.advance(299_000);
  queue.flushUnschedulablePodsLeftover();
  assert.equal(queue.pendingPods().unschedulable, 1);
  clock.advance(2_000);
  queue.flushUnschedulablePodsLeftover();
  assert.equal(queue.pendingPods().unschedulable, 0);

  const gated = makePod("gated");
  gated.spec = { ...gated.spec, containers: [], schedulingGates: [{ name: "wait" }] };
  queue.add(gated);
  queue.moveAllToActiveOrBackoffQueue({ resource: "WildCard", action: "All" });
  assert.equal(queue.pendingPods().unschedulable, 1);
  const ungated = { ...gated, spec: { ...gated.spec, containers: [], schedulingGates: [] } };
  queue.update(gated, ungated);
  assert.equal(queue.pendingPods().unschedulable, 0);
});

test("deleting a pod in flight drops it instead of parking it", () => {
  const { queue } = newQueue();
  const pod = makePod("p");
  queue.add(pod);
  const q = queue.tryPop();
  assert.ok(q);
  queue.delete(pod);
  fail(queue, q);
  assert.deepEqual(queue.pendingPods(), { active: 0, backoff: 0, unschedulable: 0 });
});

test("nominated pods are listed per node", () => {
  const { queue } = newQueue();
  const pod = makePod("p", { nominatedNodeName: "n1" });
  queue.add(pod);
  assert.deepEqual(
    queue.nominator.nominatedPodsForNode("n1").map((p) => p.name),
    ["p"],
  );
  queue.delete(pod);
  assert.deepEqual(queue.nominator.nominatedPodsForNode("n1"), []);
});

test("wait leaves no abort listener behind once it resolves", async () => {
  const { queue } = newQueue();
  const signal = new AbortController().signal;
  for (let i = 0; i < 50; i++) {
    const waiting = queue.wait(signal);
    queue.add(makePod(`p${i}`));
    await waiting;
    const q = queue.tryPop();
    if (q) queue.done(q.podInfo.uid);
  }
  assert.equal(getEventListeners(signal, "abort").length, 0);
});
