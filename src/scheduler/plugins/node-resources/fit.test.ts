import assert from "node:assert/strict";
import { test } from "node:test";
import { CycleState } from "../../framework/cycle-state.ts";
import { makeNode, makePod, nodeInfo, podInfo } from "../../testing/fixtures.ts";
import { balancedScore, newBalancedAllocation } from "./balanced-allocation.ts";
import { newNodeResourcesFit } from "./fit.ts";

const fit = newNodeResourcesFit();
const state = new CycleState();

test("Filter: fits what is left of allocatable", () => {
  const node = nodeInfo(makeNode("n", { cpu: "2" }), makePod("a", { cpu: "1500m" }));
  assert.equal(fit.filter(state, podInfo(makePod("p", { cpu: "500m" })), node).code, "Success");
  const s = fit.filter(state, podInfo(makePod("p", { cpu: "600m" })), node);
  assert.deepEqual(s, { code: "Unschedulable", reasons: ["Insufficient cpu"] });
});

test("Filter: more than the whole node is unresolvable (preemption cannot help)", () => {
  const node = nodeInfo(makeNode("n", { cpu: "2", memory: "1Gi" }));
  const s = fit.filter(state, podInfo(makePod("p", { cpu: "3", memory: "2Gi" })), node);
  assert.deepEqual(s, {
    code: "UnschedulableAndUnresolvable",
    reasons: ["Insufficient cpu", "Insufficient memory"],
  });
});

test("Filter: pod count, ephemeral storage and extended resources", () => {
  const node = nodeInfo(
    makeNode("n", {
      pods: "1",
      allocatable: { "ephemeral-storage": "1Gi", "example.com/gpu": "1" },
    }),
    makePod("a"),
  );
  const p = makePod("p", { requests: { "ephemeral-storage": "2Gi", "example.com/gpu": "2" } });
  assert.deepEqual(fit.filter(state, podInfo(p), node).reasons, [
    "Too many pods",
    "Insufficient ephemeral-storage",
    "Insufficient example.com/gpu",
  ]);
  // A pod requesting nothing only needs a pod slot.
  assert.deepEqual(fit.filter(state, podInfo(makePod("q")), node).reasons, ["Too many pods"]);
  const ignoring = newNodeResourcesFit(undefined, { ignoredResources: ["example.com/gpu"] });
  assert.deepEqual(ignoring.filter(state, podInfo(p), node).reasons, [
    "Too many pods",
    "Insufficient ephemeral-storage",
  ]);
});

test("Filter: a RuntimeClass overhead counts for the pod and for those on the node", () => {
  const withOverhead = (pod: ReturnType<typeof makePod>, cpu: string) => {
    pod.spec!.overhead = { cpu };
    return pod;
  };
  const node = nodeInfo(
    makeNode("n", { cpu: "2" }),
    withOverhead(makePod("a", { cpu: "1" }), "500m"),
  );
  assert.equal(fit.filter(state, podInfo(makePod("p", { cpu: "500m" })), node).code, "Success");
  const s = fit.filter(state, podInfo(withOverhead(makePod("p", { cpu: "400m" }), "200m")), node);
  assert.deepEqual(s, { code: "Unschedulable", reasons: ["Insufficient cpu"] });
});

test("Score: LeastAllocated averages free cpu and memory fractions, counting defaults", () => {
  const node = nodeInfo(
    makeNode("n", { cpu: "4", memory: "4Gi" }),
    makePod("a", { cpu: "1", memory: "1Gi" }),
  );
  // cpu: (4000 - 2000) * 100 / 4000 = 50; memory: (4Gi - 2Gi) / 4Gi = 50
  assert.equal(fit.score(state, podInfo(makePod("p", { cpu: "1", memory: "1Gi" })), node), 50);
  // An empty pod counts 100m and 200Mi: cpu (4000-1100)*100/4000 = 72; memory 70 → 71
  assert.equal(fit.score(state, podInfo(makePod("q")), node), 71);
  const most = newNodeResourcesFit(undefined, { scoringStrategy: { type: "MostAllocated" } });
  assert.equal(most.score(state, podInfo(makePod("p", { cpu: "1", memory: "1Gi" })), node), 50);
});

test("BalancedAllocation: 100 minus the spread of the fractions; best-effort pods skip", () => {
  assert.equal(balancedScore([1000, 2 * 1024 ** 3], [4000, 4 * 1024 ** 3]), 87);
  assert.equal(balancedScore([2000, 2048], [4000, 4096]), 100);
  const ba = newBalancedAllocation();
  const st = new CycleState();
  assert.equal(ba.preScore(st, podInfo(makePod("p")), []).code, "Skip");
  const node = nodeInfo(makeNode("n", { cpu: "4", memory: "4Gi" }));
  const p = podInfo(makePod("p", { cpu: "2", memory: "1Gi" }));
  assert.equal(ba.preScore(st, p, []).code, "Success");
  assert.equal(ba.score(st, p, node), 87);
});
