import assert from "node:assert/strict";
import { test } from "node:test";
import type { NodeSelectorRequirement } from "../../../api/generated/types.ts";
import { CycleState } from "../../framework/cycle-state.ts";
import { makeNode, makePod, nodeInfo, podInfo } from "../../testing/fixtures.ts";
import { errReasonPod, newNodeAffinity } from "./node-affinity.ts";

const plugin = newNodeAffinity();
const zoneA = nodeInfo(makeNode("a", { labels: { zone: "a", gen: "5" } }));
const zoneB = nodeInfo(makeNode("b", { labels: { zone: "b", gen: "3" } }));
const required = (...matchExpressions: NodeSelectorRequirement[]) =>
  makePod("p", {
    affinity: {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [{ matchExpressions }],
        },
      },
    },
  });

test("PreFilter skips pods without node constraints", () => {
  assert.equal(plugin.preFilter(new CycleState(), podInfo(makePod("p")), []).status.code, "Skip");
});

test("nodeSelector must match every label", () => {
  const pod = podInfo(makePod("p", { nodeSelector: { zone: "a" } }));
  assert.equal(plugin.filter(new CycleState(), pod, zoneA).code, "Success");
  assert.deepEqual(plugin.filter(new CycleState(), pod, zoneB), {
    code: "UnschedulableAndUnresolvable",
    reasons: [errReasonPod],
  });
});

test("required terms: In, NotIn, Exists, DoesNotExist, Gt", () => {
  const cases: [NodeSelectorRequirement, boolean, boolean][] = [
    [{ key: "zone", operator: "In", values: ["a"] }, true, false],
    [{ key: "zone", operator: "NotIn", values: ["a"] }, false, true],
    [{ key: "zone", operator: "Exists" }, true, true],
    [{ key: "zone", operator: "DoesNotExist" }, false, false],
    [{ key: "gen", operator: "Gt", values: ["4"] }, true, false],
    [{ key: "gen", operator: "Lt", values: ["4"] }, false, true],
  ];
  for (const [req, a, b] of cases) {
    const pod = podInfo(required(req));
    assert.equal(
      plugin.filter(new CycleState(), pod, zoneA).code === "Success",
      a,
      JSON.stringify(req),
    );
    assert.equal(
      plugin.filter(new CycleState(), pod, zoneB).code === "Success",
      b,
      JSON.stringify(req),
    );
  }
});

test("PreFilter narrows to nodes pinned by metadata.name (DaemonSet pods)", () => {
  const pod = makePod("p", {
    affinity: {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [
            { matchFields: [{ key: "metadata.name", operator: "In", values: ["b"] }] },
          ],
        },
      },
    },
  });
  const r = plugin.preFilter(new CycleState(), podInfo(pod), []);
  assert.deepEqual([...(r.nodeNames ?? [])], ["b"]);
  assert.equal(
    plugin.filter(new CycleState(), podInfo(pod), zoneA).code,
    "UnschedulableAndUnresolvable",
  );
});

test("Score: weights of matching preferred terms, normalized to 100", () => {
  const pod = podInfo(
    makePod("p", {
      affinity: {
        nodeAffinity: {
          preferredDuringSchedulingIgnoredDuringExecution: [
            {
              weight: 10,
              preference: { matchExpressions: [{ key: "zone", operator: "In", values: ["a"] }] },
            },
            { weight: 30, preference: { matchExpressions: [{ key: "gen", operator: "Exists" }] } },
          ],
        },
      },
    }),
  );
  const state = new CycleState();
  assert.equal(plugin.preScore(state, pod, []).code, "Success");
  const scores = [zoneA, zoneB].map((n) => ({
    name: n.name,
    score: plugin.score(state, pod, n) as number,
  }));
  assert.deepEqual(
    scores.map((s) => s.score),
    [40, 30],
  );
  plugin.normalizeScore?.(state, pod, scores);
  assert.deepEqual(
    scores.map((s) => s.score),
    [100, 75],
  );
});
