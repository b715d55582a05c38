import assert from "node:assert/strict";
import { test } from "node:test";
import { numFeasibleNodesToFind } from "./schedule-pod.ts";
import { makeNode, makePod, newTestCore, type TestCore } from "./testing/fixtures.ts";

async function drain(core: TestCore): Promise<void> {
  while (core.scheduleNext()) await core.idle();
  await core.idle();
}

const bound = (core: TestCore) =>
  Object.fromEntries(core.api.binds.map((b) => [b.pod.metadata?.name, b.node]));

test("pods go to the least allocated node, and each sees the ones assumed before it", async () => {
  const core = newTestCore();
  core.addNode(makeNode("busy", { cpu: "4", memory: "8Gi" }));
  core.addNode(makeNode("idle", { cpu: "4", memory: "8Gi" }));
  core.addPod(makePod("existing", { cpu: "3", memory: "6Gi", nodeName: "busy" }));
  core.addPod(makePod("p1", { cpu: "1", memory: "1Gi" }));
  await drain(core);
  assert.deepEqual(bound(core), { p1: "idle" });
  // Two free cpus per node, four one-cpu pods: without assuming, all would pick one node.
  const even = newTestCore();
  even.addNode(makeNode("a", { cpu: "2" }));
  even.addNode(makeNode("b", { cpu: "2" }));
  for (const n of ["p1", "p2", "p3", "p4"]) even.addPod(makePod(n, { cpu: "1" }));
  await drain(even);
  const perNode = new Map<string, number>();
  for (const b of even.api.binds) perNode.set(b.node, (perNode.get(b.node) ?? 0) + 1);
  assert.deepEqual(Object.fromEntries(perNode), { a: 2, b: 2 });
  assert.deepEqual(
    core.events.events.filter((e) => e.name === "p1").map((e) => `${e.reason}: ${e.message}`),
    ["Scheduled: Successfully assigned default/p1 to idle"],
  );
});

test("a pod too big for every node: upstream's FailedScheduling message, event and condition", async () => {
  const core = newTestCore();
  core.addNode(
    makeNode("cp", {
      taints: [{ key: "node-role.kubernetes.io/control-plane", effect: "NoSchedule" }],
    }),
  );
  core.addNode(makeNode("w1", { cpu: "2" }));
  core.addNode(makeNode("w2", { cpu: "2" }));
  core.addPod(makePod("big", { cpu: "3" }));
  await drain(core);
  const msg =
    "0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 Insufficient cpu. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.";
  assert.deepEqual(core.events.events, [
    { name: "big", type: "Warning", reason: "FailedScheduling", message: msg },
  ]);
  assert.deepEqual(
    core.api.statusUpdates.map((u) => u.condition),
    [{ type: "PodScheduled", status: "False", reason: "Unschedulable", message: msg }],
  );
  assert.deepEqual(core.queue.pendingPods(), { active: 0, backoff: 0, unschedulable: 1 });
  // A big enough node arrives: the pod is moved back and scheduled there.
  core.addNode(makeNode("huge", { cpu: "16" }));
  core.queue.moveAllToActiveOrBackoffQueue({ resource: "Node", action: "Add" });
  core.clock.advance(1_000);
  core.queue.flushBackoffQCompleted();
  await drain(core);
  assert.deepEqual(bound(core), { big: "huge" });
});

test("full nodes with peers of equal priority: no preemption victims", async () => {
  const core = newTestCore();
  core.addNode(makeNode("n1", { cpu: "1" }));
  core.addPod(makePod("a", { cpu: "1", nodeName: "n1" }));
  core.addPod(makePod("b", { cpu: "1" }));
  await drain(core);
  assert.equal(
    core.events.events[0]?.message,
    "0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.",
  );
});

test("no nodes at all", async () => {
  const core = newTestCore();
  core.addPod(makePod("p"));
  await drain(core);
  assert.equal(core.events.events[0]?.message, "no nodes available to schedule pods");
  assert.equal(core.api.statusUpdates[0]?.condition?.reason, "Unschedulable");
});

test("a failed binding releases the node and retries after back-off", async () => {
  const core = newTestCore();
  core.addNode(makeNode("n1", { cpu: "1" }));
  let failures = 1;
  core.api.failBind = () => (failures-- > 0 ? new Error("connection reset") : undefined);
  core.addPod(makePod("p", { cpu: "1" }));
  await drain(core);
  assert.equal(core.cache.get("n1")?.pods.length, 0);
  assert.equal(core.events.events[0]?.message, "connection reset");
  assert.equal(core.api.statusUpdates[0]?.condition?.reason, "SchedulerError");
  assert.deepEqual(core.queue.pendingPods(), { active: 0, backoff: 1, unschedulable: 0 });
  core.clock.advance(1_000);
  core.queue.flushBackoffQCompleted();
  await drain(core);
  assert.deepEqual(bound(core), { p: "n1" });
});

test("preemption: the high-priority pod is nominated, victims deleted, lower pods kept off", async () => {
  const core = newTestCore();
  core.addNode(makeNode("n1", { cpu: "2" }));
  core.addPod(makePod("low", { cpu: "2", priority: 0, nodeName: "n1" }));
  core.addPod(makePod("high", { cpu: "2", priority: 1000 }));
  await drain(core);
  assert.deepEqual(
    core.api.deletes.map((p) => p.metadata?.name),
    ["low"],
  );
  assert.equal(
    core.api.statusUpdates.find((u) => u.pod.metadata?.name === "high")?.nominatedNodeName,
    "n1",
  );
  const preempted = core.events.events.find((e) => e.reason === "Preempted");
  assert.match(preempted?.message ?? "", /^Preempted by pod uid-high-\d+ on node n1$/);
  // The victim goes away; a lower-priority newcomer must not take the room.
  const low = core.cache.get("n1")?.pods[0];
  assert.ok(low);
  core.cache.removePod(low.uid);
  core.addPod(makePod("other", { cpu: "1", priority: 0 }));
  core.queue.moveAllToActiveOrBackoffQueue({ resource: "AssignedPod", action: "Delete" });
  core.clock.advance(1_000);
  core.queue.flushBackoffQCompleted();
  await drain(core);
  assert.equal(bound(core).high, "n1");
  assert.equal(bound(core).other, undefined);
});

test("percentageOfNodesToScore: adaptive, never below 100 nodes", () => {
  assert.equal(numFeasibleNodesToFind(0, 50), 50);
  assert.equal(numFeasibleNodesToFind(0, 100), 100);
  assert.equal(numFeasibleNodesToFind(0, 1000), 420);
  assert.equal(numFeasibleNodesToFind(0, 5000), 500);
  assert.equal(numFeasibleNodesToFind(0, 10000), 500);
  assert.equal(numFeasibleNodesToFind(30, 1000), 300);
});
