/**
 * The DaemonSet RollingUpdate (upstream `rollingUpdate`): without surge, old pods are deleted
 * (and recreated by `manage`) while no more than maxUnavailable nodes lack an available pod —
 * unavailable old pods may always go. With surge, a new pod is created beside an old one on up to
 * maxSurge nodes, and the old one is deleted once the new one is available.
 */
import type { DaemonSet, Node } from "../../api/generated/types.ts";
import type { Pod } from "../common/objects.ts";
import { isPodAvailable } from "../common/pod-utils.ts";
import type { DaemonSetDeps, NodeToDaemonPods } from "./daemon-set-manage.ts";
import { syncNodes } from "./daemon-set-manage.ts";
import { findUpdatedPodsOnNode, surgeCount, unavailableCount } from "./daemon-set-util.ts";
import { nodeShouldRunDaemonPod } from "./node-predicates.ts";

/** `updatedDesiredNodeCounts`: maxSurge and maxUnavailable over the nodes that want a pod. */
function updatedDesiredNodeCounts(
  ds: DaemonSet,
  nodes: readonly Node[],
  nodeToDaemonPods: NodeToDaemonPods,
): { maxSurge: number; maxUnavailable: number } {
  let desired = 0;
  for (const node of nodes) {
    if (!nodeShouldRunDaemonPod(node, ds).shouldRun) continue;
    desired++;
    const name = node.metadata?.name ?? "";
    if (!nodeToDaemonPods.has(name)) nodeToDaemonPods.set(name, []);
  }
  let maxUnavailable = unavailableCount(ds, desired);
  const maxSurge = surgeCount(ds, desired);
  if (desired > 0 && maxUnavailable === 0 && maxSurge === 0) maxUnavailable = 1;
  return { maxSurge, maxUnavailable };
}

export async function rollingUpdate(options: {
  deps: DaemonSetDeps;
  ds: DaemonSet;
  nodes: readonly Node[];
  nodeToDaemonPods: NodeToDaemonPods;
  hash: string;
  now: number;
}): Promise<void> {
  const { deps, ds, nodes, hash } = options;
  const nodeToDaemonPods = new Map(options.nodeToDaemonPods);
  const { maxSurge, maxUnavailable } = updatedDesiredNodeCounts(ds, nodes, nodeToDaemonPods);
  const available = (pod: Pod) => isPodAvailable(pod, ds.spec?.minReadySeconds ?? 0, options.now);
  if (maxSurge === 0) {
    const remove = oldPodsToDelete(nodeToDaemonPods, hash, maxUnavailable, available);
    await syncNodes({ deps, ds, remove, create: [], hash });
    return;
  }
  let numSurge = 0;
  const allowedNewNodes: string[] = [];
  const candidateNewNodes: string[] = [];
  const remove: Pod[] = [];
  for (const node of nodes) {
    const name = node.metadata?.name ?? "";
    const found = findUpdatedPodsOnNode(nodeToDaemonPods.get(name) ?? [], hash);
    if (!found?.oldPod) continue;
    const { newPod, oldPod } = found;
    if (!newPod) {
      if (!available(oldPod)) allowedNewNodes.push(name);
      else if (numSurge < maxSurge) candidateNewNodes.push(name);
    } else if (!available(newPod)) {
      numSurge++;
    } else {
      remove.push(oldPod);
    }
  }
  const remaining = Math.min(Math.max(0, maxSurge - numSurge), candidateNewNodes.length);
  const create = [...allowedNewNodes, ...candidateNewNodes.slice(0, remaining)];
  await syncNodes({ deps, ds, remove, create, hash });
}

/** The maxSurge = 0 choice: unavailable old pods, then available ones within the budget. */
function oldPodsToDelete(
  nodeToDaemonPods: NodeToDaemonPods,
  hash: string,
  maxUnavailable: number,
  available: (pod: Pod) => boolean,
): Pod[] {
  let numUnavailable = 0;
  const allowed: Pod[] = [];
  const candidates: Pod[] = [];
  for (const pods of nodeToDaemonPods.values()) {
    const found = findUpdatedPodsOnNode(pods, hash);
    if (!found) {
      numUnavailable++;
      continue;
    }
    const { newPod, oldPod } = found;
    if ((!oldPod && !newPod) || (oldPod && newPod)) numUnavailable++;
    else if (newPod) {
      if (!available(newPod)) numUnavailable++;
    } else if (oldPod) {
      if (!available(oldPod)) allowed.push(oldPod);
      else if (numUnavailable < maxUnavailable) candidates.push(oldPod);
    }
  }
  const remaining = Math.min(Math.max(0, maxUnavailable - numUnavailable), candidates.length);
  return [...allowed, ...candidates.slice(0, remaining)];
}
