import assert from "node:assert/strict";
import { test } from "node:test";
import type { PodDisruptionBudget } from "../../../api/generated/types.ts";
import { NodeToStatus } from "../../framework/node-to-status.ts";
import { unresolvable, unschedulable } from "../../framework/status.ts";
import {
  emptyListers,
  MapLister,
  makeNode,
  makePod,
  newTestCore,
  podInfo,
} from "../../testing/fixtures.ts";
import { pickOneNodeForPreemption } from "./pick-node.ts";
import { filterPodsWithPDBViolation, selectVictimsOnNode } from "./select-victims.ts";

/** A cycle state after PreFilter, as PostFilter gets it. */
function cycle(core: ReturnType<typeof newTestCore>, pod: ReturnType<typeof podInfo>) {
  const state = core.framework.newCycleState();
  core.framework.runPreFilterPlugins(state, pod, core.cache.nodeInfos());
  return state;
}

function setup(pdbs: PodDisruptionBudget[] = []) {
  const core = newTestCore({ listers: { ...emptyListers(), pdbs: new MapLister(pdbs) } });
  core.addNode(makeNode("n1", { cpu: "2" }));
  core.addNode(makeNode("n2", { cpu: "2" }));
  return core;
}

test("victims: the fewest lower-priority pods, least important first", () => {
  const core = setup();
  core.addPod(makePod("low-a", { cpu: "1", priority: 1, nodeName: "n1" }));
  core.addPod(makePod("low-b", { cpu: "1", priority: 2, nodeName: "n1" }));
  const pod = core.framework.podInfo(makePod("high", { cpu: "1", priority: 100 }));
  const node = core.cache.get("n1")?.clone();
  assert.ok(node);
  const v = selectVictimsOnNode(core.framework, cycle(core, pod), pod, node, []);
  assert.ok(!("code" in v));
  assert.deepEqual(
    v.pods.map((p) => p.name),
    ["low-a"],
  );
});

test("no lower-priority pods: upstream's 'No preemption victims' status", () => {
  const core = setup();
  core.addPod(makePod("peer", { cpu: "2", priority: 100, nodeName: "n1" }));
  const pod = core.framework.podInfo(makePod("high", { cpu: "1", priority: 100 }));
  const node = core.cache.get("n1")?.clone();
  assert.ok(node);
  const v = selectVictimsOnNode(core.framework, cycle(core, pod), pod, node, []);
  assert.deepEqual(v, unresolvable("No preemption victims found for incoming pod"));
});

test("PDB: pods whose budget allows no disruption are violating", () => {
  const pdb: PodDisruptionBudget = {
    metadata: { name: "db", namespace: "default" },
    spec: { selector: { matchLabels: { app: "db" } } },
    status: { disruptionsAllowed: 1, currentHealthy: 2, desiredHealthy: 1, expectedPods: 2 },
  };
  const pods = ["a", "b"].map((n) => podInfo(makePod(n, { labels: { app: "db" } })));
  const [violating, ok] = filterPodsWithPDBViolation(pods, [pdb]);
  assert.deepEqual(
    ok.map((p) => p.name),
    ["a"],
  );
  assert.deepEqual(
    violating.map((p) => p.name),
    ["b"],
  );
});

test("PostFilter nominates the node with the cheapest victims", () => {
  const core = setup();
  core.addPod(makePod("mid", { cpu: "2", priority: 50, nodeName: "n1" }));
  core.addPod(makePod("low", { cpu: "2", priority: 10, nodeName: "n2" }));
  const pod = core.framework.podInfo(makePod("high", { cpu: "1", priority: 100 }));
  const statuses = new NodeToStatus();
  statuses.set("n1", unschedulable("Insufficient cpu"));
  statuses.set("n2", unschedulable("Insufficient cpu"));
  const r = core.framework.runPostFilterPlugins(cycle(core, pod), pod, statuses);
  assert.deepEqual(r, { status: { code: "Success", reasons: [] }, nominatedNodeName: "n2" });
});

test("PostFilter: preemption cannot help unresolvable nodes; Never policy is not eligible", () => {
  const core = setup();
  const pod = core.framework.podInfo(makePod("huge", { cpu: "8", priority: 100 }));
  const statuses = new NodeToStatus();
  statuses.set("n1", unresolvable("Insufficient cpu"));
  statuses.set("n2", unresolvable("Insufficient cpu"));
  const r = core.framework.runPostFilterPlugins(cycle(core, pod), pod, statuses);
  assert.deepEqual(r.status.reasons, [
    "preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.",
  ]);
  const never = makePod("never", { cpu: "1", priority: 100 });
  never.spec = {
    ...never.spec,
    containers: never.spec?.containers ?? [],
    preemptionPolicy: "Never",
  };
  const r2 = core.framework.runPostFilterPlugins(
    core.framework.newCycleState(),
    core.framework.podInfo(never),
    statuses,
  );
  assert.deepEqual(r2.status.reasons, ["preemption: not eligible due to preemptionPolicy=Never."]);
});

test("pickOneNodeForPreemption: fewer PDB violations, then lower victim priority", () => {
  const victims = (priority: number, pdb = 0) => ({
    pods: [podInfo(makePod(`v${priority}`, { priority }))],
    numPDBViolations: pdb,
  });
  const now = Date.now();
  assert.equal(
    pickOneNodeForPreemption(
      [
        { nodeName: "a", victims: victims(1, 1) },
        { nodeName: "b", victims: victims(5) },
      ],
      now,
    )?.nodeName,
    "b",
  );
  assert.equal(
    pickOneNodeForPreemption(
      [
        { nodeName: "a", victims: victims(7) },
        { nodeName: "b", victims: victims(5) },
      ],
      now,
    )?.nodeName,
    "b",
  );
});
