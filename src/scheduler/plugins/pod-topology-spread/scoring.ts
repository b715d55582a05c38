/**
 * PodTopologySpread's scoring for ScheduleAnyway constraints (upstream `scoring.go`): a node
 * scores the matching pods in its domain, weighted by log(number of domains + 2), plus
 * maxSkew − 1; normalizing turns fewer pods into a higher score. Nodes lacking a topology key
 * score 0.
 */
import type { NodeScore } from "../../framework/interface.ts";
import { maxNodeScore } from "../../framework/interface.ts";
import type { NodeInfo } from "../../framework/node-info.ts";
import type { PodInfo } from "../../framework/pod-info.ts";
import {
  type Constraint,
  countPodsMatchSelector,
  hostnameLabel,
  nodeHasAllKeys,
  nodeIncluded,
} from "./common.ts";

export interface SpreadScoreState {
  readonly constraints: readonly Constraint[];
  readonly ignoredNodes: ReadonlySet<string>;
  /** Per constraint: domain value → matching pods (unused for the hostname key). */
  readonly counts: Map<string, number>[];
  readonly weights: readonly number[];
}

export function computeScoreState(
  pod: PodInfo,
  constraints: readonly Constraint[],
  filtered: readonly NodeInfo[],
  allNodes: readonly NodeInfo[],
): SpreadScoreState {
  const ignoredNodes = new Set<string>();
  const counts = constraints.map(() => new Map<string, number>());
  const sizes = constraints.map(() => new Set<string>());
  for (const node of filtered) {
    if (!nodeHasAllKeys(node, constraints)) {
      ignoredNodes.add(node.name);
      continue;
    }
    constraints.forEach((c, i) => {
      const value = node.labels[c.topologyKey] ?? "";
      sizes[i]?.add(c.topologyKey === hostnameLabel ? node.name : value);
      if (c.topologyKey !== hostnameLabel) counts[i]?.set(value, 0);
    });
  }
  for (const node of allNodes) {
    if (!nodeHasAllKeys(node, constraints) || !nodeIncluded(pod, node, constraints)) continue;
    constraints.forEach((c, i) => {
      if (c.topologyKey === hostnameLabel) return;
      const m = counts[i] as Map<string, number>;
      const value = node.labels[c.topologyKey] ?? "";
      const have = m.get(value);
      if (have === undefined) return;
      m.set(value, have + countPodsMatchSelector(node.pods, c.selector, pod.namespace));
    });
  }
  const weights = sizes.map((s) => Math.log(s.size + 2));
  return { constraints, ignoredNodes, counts, weights };
}

export function scoreNode(s: SpreadScoreState, pod: PodInfo, node: NodeInfo): number {
  if (s.ignoredNodes.has(node.name)) return 0;
  let score = 0;
  s.constraints.forEach((c, i) => {
    if (!Object.hasOwn(node.labels, c.topologyKey)) return;
    const cnt =
      c.topologyKey === hostnameLabel
        ? countPodsMatchSelector(node.pods, c.selector, pod.namespace)
        : (s.counts[i]?.get(node.labels[c.topologyKey] ?? "") ?? 0);
    score += cnt * (s.weights[i] ?? 0) + (c.maxSkew - 1);
  });
  return Math.round(score);
}

export function normalizeScores(s: SpreadScoreState, scores: NodeScore[]): void {
  let min = Infinity;
  let max = 0;
  for (const n of scores) {
    if (s.ignoredNodes.has(n.name)) continue;
    min = Math.min(min, n.score);
    max = Math.max(max, n.score);
  }
  for (const n of scores) {
    if (s.ignoredNodes.has(n.name)) n.score = 0;
    else if (max === 0) n.score = maxNodeScore;
    else n.score = Math.trunc((maxNodeScore * (max + min - n.score)) / max);
  }
}
