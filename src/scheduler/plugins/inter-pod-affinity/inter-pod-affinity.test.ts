import assert from "node:assert/strict";
import { test } from "node:test";
import type { PodAffinityTerm } from "../../../api/generated/types.ts";
import type {
  FilterPlugin,
  PreFilterPlugin,
  PreScorePlugin,
  ScorePlugin,
} from "../../framework/interface.ts";
import type { NodeInfo } from "../../framework/node-info.ts";
import type { PodInfo } from "../../framework/pod-info.ts";
import { makeNode, makePod, newTestCore } from "../../testing/fixtures.ts";
import {
  errReasonAffinityRulesNotMatch,
  errReasonAntiAffinityRulesNotMatch,
  errReasonExistingAntiAffinityRulesNotMatch,
} from "./filtering.ts";

type Plugin = PreFilterPlugin & FilterPlugin & PreScorePlugin & ScorePlugin;

function setup() {
  const core = newTestCore();
  for (const [name, zone] of [
    ["a1", "a"],
    ["a2", "a"],
    ["b1", "b"],
  ] as const) {
    core.addNode(makeNode(name, { labels: { zone } }));
  }
  const plugin = core.framework.plugins.find((p) => p.name === "InterPodAffinity") as Plugin;
  const nodes = () => core.cache.nodeInfos();
  /** Filter result per node name for the pod. */
  const filter = (pod: PodInfo) => {
    const state = core.framework.newCycleState();
    const pre = plugin.preFilter(state, pod, nodes());
    if (pre.status.code === "Skip") return "skip";
    return Object.fromEntries(
      nodes().map((n: NodeInfo) => [n.name, plugin.filter(state, pod, n).reasons[0] ?? "ok"]),
    );
  };
  return { core, plugin, nodes, filter, info: core.framework.podInfo.bind(core.framework) };
}

const term = (app: string, topologyKey: string): PodAffinityTerm => ({
  labelSelector: { matchLabels: { app } },
  topologyKey,
});

test("pods without affinity skip when no running pod has anti-affinity", () => {
  const { filter, info } = setup();
  assert.equal(filter(info(makePod("p"))), "skip");
});

test("required anti-affinity keeps replicas off a node with a match", () => {
  const { core, filter, info } = setup();
  core.addPod(makePod("web-1", { labels: { app: "web" }, nodeName: "a1" }));
  const pod = makePod("web-2", {
    labels: { app: "web" },
    affinity: {
      podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term("web", "zone")] },
    },
  });
  assert.deepEqual(filter(info(pod)), {
    a1: errReasonAntiAffinityRulesNotMatch,
    a2: errReasonAntiAffinityRulesNotMatch,
    b1: "ok",
  });
});

test("existing pods' anti-affinity repels matching newcomers", () => {
  const { core, filter, info } = setup();
  core.addPod(
    makePod("db", {
      nodeName: "b1",
      affinity: {
        podAntiAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: [term("noisy", "kubernetes.io/hostname")],
        },
      },
    }),
  );
  assert.deepEqual(filter(info(makePod("n", { labels: { app: "noisy" } }))), {
    a1: "ok",
    a2: "ok",
    b1: errReasonExistingAntiAffinityRulesNotMatch,
  });
  // A pod the anti-affinity does not select: nothing to check.
  assert.equal(filter(info(makePod("q", { labels: { app: "quiet" } }))), "skip");
});

test("required affinity follows a matching pod's zone; the first of a group may go anywhere", () => {
  const { core, filter, info } = setup();
  const withAffinity = (name: string) =>
    makePod(name, {
      labels: { app: "cache" },
      affinity: {
        podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term("cache", "zone")] },
      },
    });
  assert.deepEqual(filter(info(withAffinity("c1"))), { a1: "ok", a2: "ok", b1: "ok" });
  core.addPod(makePod("c0", { labels: { app: "cache" }, nodeName: "b1" }));
  assert.deepEqual(filter(info(withAffinity("c2"))), {
    a1: errReasonAffinityRulesNotMatch,
    a2: errReasonAffinityRulesNotMatch,
    b1: "ok",
  });
});

test("Score: preferred affinity favours the matching zone; anti-affinity the others", () => {
  const { core, plugin, nodes, info } = setup();
  core.addPod(makePod("web-1", { labels: { app: "web" }, nodeName: "a1" }));
  const score = (pod: PodInfo) => {
    const state = core.framework.newCycleState();
    if (plugin.preScore(state, pod, nodes()).code === "Skip") return "skip";
    const scores = nodes().map((n) => ({
      name: n.name,
      score: plugin.score(state, pod, n) as number,
    }));
    plugin.normalizeScore?.(state, pod, scores);
    return scores.map((s) => s.score);
  };
  const weighted = (kind: "podAffinity" | "podAntiAffinity") =>
    makePod("p", {
      affinity: {
        [kind]: {
          preferredDuringSchedulingIgnoredDuringExecution: [
            { weight: 5, podAffinityTerm: term("web", "zone") },
          ],
        },
      },
    });
  assert.equal(score(info(makePod("plain"))), "skip");
  assert.deepEqual(score(info(weighted("podAffinity"))), [100, 100, 0]);
  assert.deepEqual(score(info(weighted("podAntiAffinity"))), [0, 0, 100]);
});
