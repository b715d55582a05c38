import assert from "node:assert/strict";
import { test } from "node:test";
import type { TopologySpreadConstraint } from "../../../api/generated/types.ts";
import type {
  FilterPlugin,
  PreFilterPlugin,
  PreScorePlugin,
  ScorePlugin,
} from "../../framework/interface.ts";
import type { PodInfo } from "../../framework/pod-info.ts";
import { makeNode, makePod, newTestCore } from "../../testing/fixtures.ts";
import { errReasonConstraintsNotMatch, errReasonNodeLabelNotMatch } from "./filtering.ts";

type Plugin = PreFilterPlugin & FilterPlugin & PreScorePlugin & ScorePlugin;

function setup() {
  const core = newTestCore();
  core.addNode(makeNode("a1", { labels: { zone: "a" } }));
  core.addNode(makeNode("a2", { labels: { zone: "a" } }));
  core.addNode(makeNode("b1", { labels: { zone: "b" } }));
  core.addNode(makeNode("nolabel"));
  const plugin = core.framework.plugins.find((p) => p.name === "PodTopologySpread") as Plugin;
  const nodes = () => core.cache.nodeInfos();
  const info = (p: Parameters<typeof core.framework.podInfo>[0]) => core.framework.podInfo(p);
  const filter = (pod: PodInfo) => {
    const state = core.framework.newCycleState();
    if (plugin.preFilter(state, pod, nodes()).status.code === "Skip") return "skip";
    return Object.fromEntries(
      nodes().map((n) => [n.name, plugin.filter(state, pod, n).reasons[0] ?? "ok"]),
    );
  };
  return { core, plugin, nodes, info, filter };
}

const spread = (
  when: TopologySpreadConstraint["whenUnsatisfiable"],
  extra: Partial<TopologySpreadConstraint> = {},
) => ({
  maxSkew: 1,
  topologyKey: "zone",
  whenUnsatisfiable: when,
  labelSelector: { matchLabels: { app: "web" } },
  ...extra,
});

test("DoNotSchedule: a zone already ahead by maxSkew is excluded; unlabeled nodes never fit", () => {
  const { core, info, filter } = setup();
  core.addPod(makePod("w1", { labels: { app: "web" }, nodeName: "a1" }));
  const pod = info(makePod("w2", { labels: { app: "web" }, spread: [spread("DoNotSchedule")] }));
  assert.deepEqual(filter(pod), {
    a1: errReasonConstraintsNotMatch,
    a2: errReasonConstraintsNotMatch,
    b1: "ok",
    nolabel: errReasonNodeLabelNotMatch,
  });
  core.addPod(makePod("w3", { labels: { app: "web" }, nodeName: "b1" }));
  assert.deepEqual(filter(pod), {
    a1: "ok",
    a2: "ok",
    b1: "ok",
    nolabel: errReasonNodeLabelNotMatch,
  });
  assert.equal(filter(info(makePod("plain"))), "skip");
});

test("minDomains: fewer domains than required count the global minimum as 0", () => {
  const { core, info, filter } = setup();
  core.addPod(makePod("w1", { labels: { app: "web" }, nodeName: "a1" }));
  core.addPod(makePod("w2", { labels: { app: "web" }, nodeName: "b1" }));
  const pod = info(
    makePod("w3", { labels: { app: "web" }, spread: [spread("DoNotSchedule", { minDomains: 3 })] }),
  );
  const r = filter(pod) as Record<string, string>;
  assert.equal(r.a1, errReasonConstraintsNotMatch);
  assert.equal(r.b1, errReasonConstraintsNotMatch);
});

test("ScheduleAnyway: emptier zones score higher", () => {
  const { core, plugin, nodes, info } = setup();
  core.addPod(makePod("w1", { labels: { app: "web" }, nodeName: "a1" }));
  core.addPod(makePod("w2", { labels: { app: "web" }, nodeName: "a2" }));
  const pod = info(makePod("w3", { labels: { app: "web" }, spread: [spread("ScheduleAnyway")] }));
  const state = core.framework.newCycleState();
  assert.equal(plugin.preScore(state, pod, nodes()).code, "Success");
  const scores = nodes().map((n) => ({
    name: n.name,
    score: plugin.score(state, pod, n) as number,
  }));
  plugin.normalizeScore?.(state, pod, scores);
  const byName = Object.fromEntries(scores.map((s) => [s.name, s.score]));
  assert.equal(byName.b1, 100);
  assert.ok((byName.a1 ?? 100) < 100);
  assert.equal(byName.nolabel, 0);
});
