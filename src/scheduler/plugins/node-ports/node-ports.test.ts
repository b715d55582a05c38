import assert from "node:assert/strict";
import { test } from "node:test";
import { CycleState } from "../../framework/cycle-state.ts";
import { makeNode, makePod, nodeInfo, podInfo } from "../../testing/fixtures.ts";
import { newNodeName } from "../node-name/node-name.ts";
import { newNodeUnschedulable } from "../node-unschedulable/node-unschedulable.ts";
import { errReason, newNodePorts } from "./node-ports.ts";

const state = new CycleState();

test("NodePorts: a host port in use on the node does not fit", () => {
  const plugin = newNodePorts();
  const node = nodeInfo(makeNode("n"), makePod("a", { hostPorts: [8080] }));
  assert.equal(plugin.preFilter(state, podInfo(makePod("p")), []).status.code, "Skip");
  assert.equal(
    plugin.filter(state, podInfo(makePod("p", { hostPorts: [9090] })), node).code,
    "Success",
  );
  assert.deepEqual(plugin.filter(state, podInfo(makePod("p", { hostPorts: [8080] })), node), {
    code: "Unschedulable",
    reasons: [errReason],
  });
  node.removePod(node.pods[0]?.uid ?? "");
  assert.equal(
    plugin.filter(state, podInfo(makePod("p", { hostPorts: [8080] })), node).code,
    "Success",
  );
});

test("NodeName: only the named node", () => {
  const plugin = newNodeName();
  const pod = podInfo(makePod("p", { nodeName: "b" }));
  assert.equal(plugin.filter(state, pod, nodeInfo(makeNode("b"))).code, "Success");
  assert.deepEqual(plugin.filter(state, pod, nodeInfo(makeNode("a"))).reasons, [
    "node(s) didn't match the requested node name",
  ]);
});

test("NodeUnschedulable: cordoned nodes unless the pod tolerates it", () => {
  const plugin = newNodeUnschedulable();
  const cordoned = nodeInfo(makeNode("n", { unschedulable: true }));
  assert.deepEqual(plugin.filter(state, podInfo(makePod("p")), cordoned), {
    code: "UnschedulableAndUnresolvable",
    reasons: ["node(s) were unschedulable"],
  });
  const tolerating = makePod("p", {
    tolerations: [
      { key: "node.kubernetes.io/unschedulable", operator: "Exists", effect: "NoSchedule" },
    ],
  });
  assert.equal(plugin.filter(state, podInfo(tolerating), cordoned).code, "Success");
});
