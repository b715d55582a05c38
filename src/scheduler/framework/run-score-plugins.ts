/**
 * The Score extension point over the feasible nodes: each plugin scores every node, normalizes,
 * and its weight multiplies the result; the totals decide the node (upstream `RunScorePlugins`).
 */
import type { CycleState } from "./cycle-state.ts";
import { maxNodeScore, type NodeScore, type ScorePlugin } from "./interface.ts";
import type { NodeInfo } from "./node-info.ts";
import type { PodInfo } from "./pod-info.ts";
import { errorStatus, type Status, withPlugin } from "./status.ts";

export interface WeightedScorePlugin {
  readonly plugin: ScorePlugin;
  readonly weight: number;
}

export function runScorePlugins(
  plugins: readonly WeightedScorePlugin[],
  state: CycleState,
  pod: PodInfo,
  nodes: readonly NodeInfo[],
): number[] | Status {
  const totals = new Array<number>(nodes.length).fill(0);
  for (const { plugin, weight } of plugins) {
    if (state.skipScorePlugins.has(plugin.name)) continue;
    const scores: NodeScore[] = new Array(nodes.length);
    for (let i = 0; i < nodes.length; i++) {
      const node = nodes[i] as NodeInfo;
      const s = plugin.score(state, pod, node);
      if (typeof s !== "number") return withPlugin(s, plugin.name);
      scores[i] = { name: node.name, score: s };
    }
    if (plugin.normalizeScore) {
      const s = plugin.normalizeScore(state, pod, scores);
      if (s.code !== "Success") return withPlugin(s, plugin.name);
    }
    for (let i = 0; i < scores.length; i++) {
      const score = (scores[i] as NodeScore).score;
      if (score < 0 || score > maxNodeScore) {
        const msg = `plugin "${plugin.name}" returns an invalid score ${score}, it should in the range of [0, ${maxNodeScore}] after normalizing`;
        return withPlugin(errorStatus(new Error(msg)), plugin.name);
      }
      totals[i] = (totals[i] ?? 0) + score * weight;
    }
  }
  return totals;
}
