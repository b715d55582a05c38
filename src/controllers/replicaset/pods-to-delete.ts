/**
 * Choosing the pods a ReplicaSet deletes when it has too many (upstream `getPodsToDelete` and
 * `getPodsRankedByRelatedPodsOnSameNode`): pods are ranked by how many active pods of the same
 * owner's ReplicaSets (the "related" pods) share their node, then sorted with the common
 * `ActivePodsWithRanks` order, so doubled-up, unready and young pods go first.
 */

import { compareActivePods, type RankedPod } from "../common/active-pods.ts";
import type { Pod } from "../common/objects.ts";
import { isPodActive } from "../common/pod-utils.ts";

export function getPodsToDelete(
  filteredPods: readonly Pod[],
  relatedPods: readonly Pod[],
  diff: number,
  nowMs: number,
): Pod[] {
  if (diff >= filteredPods.length) return filteredPods.slice(0, diff);
  const ranked = getPodsRankedByRelatedPodsOnSameNode(filteredPods, relatedPods);
  ranked.sort(compareActivePods(nowMs));
  return ranked.slice(0, diff).map((r) => r.pod);
}

export function getPodsRankedByRelatedPodsOnSameNode(
  podsToRank: readonly Pod[],
  relatedPods: readonly Pod[],
): RankedPod<Pod>[] {
  const podsOnNode = new Map<string, number>();
  for (const pod of relatedPods) {
    if (!isPodActive(pod)) continue;
    const node = pod.spec?.nodeName ?? "";
    podsOnNode.set(node, (podsOnNode.get(node) ?? 0) + 1);
  }
  return podsToRank.map((pod) => ({ pod, rank: podsOnNode.get(pod.spec?.nodeName ?? "") ?? 0 }));
}
