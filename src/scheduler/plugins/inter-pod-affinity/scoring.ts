/**
 * InterPodAffinity's scoring (upstream `interpodaffinity/scoring.go`): every topology pair gets
 * the weights of (a) the incoming pod's preferred affinity terms existing pods match (anti:
 * minus), (b) existing pods' required affinity terms the incoming pod matches (hard weight 1),
 * and (c) existing pods' preferred terms it matches. A node scores its pairs' sum; the sums
 * are scaled to 0..100 between the lowest and the highest.
 */
import type { Handle, NodeScore } from "../../framework/interface.ts";
import { maxNodeScore } from "../../framework/interface.ts";
import type { NodeInfo } from "../../framework/node-info.ts";
import {
  type AffinityTerm,
  type PodInfo,
  termMatches,
  type WeightedAffinityTerm,
} from "../../framework/pod-info.ts";
import { type Labels, mergeTermNamespaces, namespaceLabels } from "./terms.ts";

/** Upstream `hardPodAffinityWeight` default. */
export const hardPodAffinityWeight = 1;

/** topologyKey → value → score */
export type TopologyScore = Map<string, Map<string, number>>;

function add(score: TopologyScore, node: NodeInfo, key: string, weight: number): void {
  if (weight === 0 || !Object.hasOwn(node.labels, key)) return;
  const value = node.labels[key] ?? "";
  let byValue = score.get(key);
  if (!byValue) {
    byValue = new Map();
    score.set(key, byValue);
  }
  byValue.set(value, (byValue.get(value) ?? 0) + weight);
}

function processTerms(
  score: TopologyScore,
  terms: readonly (AffinityTerm & { weight: number })[],
  pod: PodInfo,
  nsLabels: Labels | undefined,
  node: NodeInfo,
  sign: number,
): void {
  for (const t of terms) {
    if (termMatches(t, pod, nsLabels)) add(score, node, t.topologyKey, sign * t.weight);
  }
}

/** The per-pair scores for `pod`, or undefined when nothing applies (Skip). */
export function computeTopologyScore(handle: Handle, pod: PodInfo): TopologyScore | undefined {
  const nsLister = handle.listers.namespaces;
  const preferred = mergeTermNamespaces<WeightedAffinityTerm>(pod.preferredAffinityTerms, nsLister);
  const preferredAnti = mergeTermNamespaces<WeightedAffinityTerm>(
    pod.preferredAntiAffinityTerms,
    nsLister,
  );
  const hasConstraints = preferred.length > 0 || preferredAnti.length > 0;
  const nodes = hasConstraints
    ? handle.snapshot.nodeInfos()
    : handle.snapshot.havePodsWithAffinityList();
  const nsLabels = namespaceLabels(nsLister, pod.namespace);
  const score: TopologyScore = new Map();
  for (const node of nodes) {
    const pods = hasConstraints ? node.pods : node.podsWithAffinity;
    for (const existing of pods) {
      processTerms(score, preferred, existing, undefined, node, 1);
      processTerms(score, preferredAnti, existing, undefined, node, -1);
      const hard = existing.requiredAffinityTerms.map((t) => ({
        ...t,
        weight: hardPodAffinityWeight,
      }));
      processTerms(score, hard, pod, nsLabels, node, 1);
      processTerms(score, existing.preferredAffinityTerms, pod, nsLabels, node, 1);
      processTerms(score, existing.preferredAntiAffinityTerms, pod, nsLabels, node, -1);
    }
  }
  return score.size === 0 ? undefined : score;
}

export function scoreNode(score: TopologyScore, node: NodeInfo): number {
  let total = 0;
  for (const [key, byValue] of score) {
    if (Object.hasOwn(node.labels, key)) total += byValue.get(node.labels[key] ?? "") ?? 0;
  }
  return total;
}

/** Min-max scaling to 0..maxNodeScore (all equal: 0). */
export function normalize(scores: NodeScore[]): void {
  let min = Infinity;
  let max = -Infinity;
  for (const s of scores) {
    min = Math.min(min, s.score);
    max = Math.max(max, s.score);
  }
  const diff = max - min;
  for (const s of scores)
    s.score = diff > 0 ? Math.trunc((maxNodeScore * (s.score - min)) / diff) : 0;
}
