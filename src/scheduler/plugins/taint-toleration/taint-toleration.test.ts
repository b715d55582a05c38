import assert from "node:assert/strict";
import { test } from "node:test";
import { toleratesTaint } from "../../../api/scheduling/taints.ts";
import { CycleState } from "../../framework/cycle-state.ts";
import type { NodeScore } from "../../framework/interface.ts";
import { makeNode, makePod, nodeInfo, podInfo } from "../../testing/fixtures.ts";
import { newTaintToleration } from "./taint-toleration.ts";

const plugin = newTaintToleration();
const controlPlane = makeNode("cp", {
  taints: [{ key: "node-role.kubernetes.io/control-plane", effect: "NoSchedule" }],
});

test("Filter: untolerated NoSchedule taints reject with upstream's message", () => {
  const s = plugin.filter(new CycleState(), podInfo(makePod("p")), nodeInfo(controlPlane));
  assert.deepEqual(s, {
    code: "UnschedulableAndUnresolvable",
    reasons: ["node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }"],
  });
  const tolerating = makePod("p", {
    tolerations: [{ key: "node-role.kubernetes.io/control-plane", operator: "Exists" }],
  });
  assert.equal(
    plugin.filter(new CycleState(), podInfo(tolerating), nodeInfo(controlPlane)).code,
    "Success",
  );
  const soft = makeNode("n", { taints: [{ key: "k", value: "v", effect: "PreferNoSchedule" }] });
  assert.equal(
    plugin.filter(new CycleState(), podInfo(makePod("p")), nodeInfo(soft)).code,
    "Success",
  );
});

test("toleration matching: operator, key, value and effect", () => {
  const taint = { key: "k", value: "v", effect: "NoExecute" as const };
  assert.ok(toleratesTaint({ key: "k", value: "v" }, taint));
  assert.ok(!toleratesTaint({ key: "k", value: "w" }, taint));
  assert.ok(toleratesTaint({ operator: "Exists" }, taint));
  assert.ok(!toleratesTaint({ key: "k", operator: "Exists", effect: "NoSchedule" }, taint));
});

test("Score: fewer untolerated PreferNoSchedule taints score higher", () => {
  const state = new CycleState();
  const pod = podInfo(makePod("p", { tolerations: [{ key: "ok", operator: "Exists" }] }));
  plugin.preScore(state, pod, []);
  const pref = (key: string) => ({ key, effect: "PreferNoSchedule" as const });
  const nodes = [
    nodeInfo(makeNode("clean")),
    nodeInfo(makeNode("one", { taints: [pref("a")] })),
    nodeInfo(makeNode("two", { taints: [pref("a"), pref("b"), pref("ok")] })),
  ];
  const scores: NodeScore[] = nodes.map((n) => ({
    name: n.name,
    score: plugin.score(state, pod, n) as number,
  }));
  assert.deepEqual(
    scores.map((s) => s.score),
    [0, 1, 2],
  );
  plugin.normalizeScore?.(state, pod, scores);
  assert.deepEqual(
    scores.map((s) => s.score),
    [100, 50, 0],
  );
});
