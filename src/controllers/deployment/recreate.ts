/**
 * The Recreate strategy (upstream `recreate.go`): scale every old ReplicaSet to zero, wait until
 * none of their pods is left (or only finished ones), and only then create or scale up the new
 * ReplicaSet.
 */
import type { Deployment, Pod, ReplicaSet } from "../common/objects.ts";
import { deploymentComplete } from "./conditions.ts";
import type { DeploymentSyncDeps } from "./deps.ts";
import { getAllReplicaSetsAndSyncRevision } from "./new-replica-set.ts";
import { syncRolloutStatus } from "./progress.ts";
import {
  deploymentReplicas,
  filterActiveReplicaSets,
  getActualReplicaCountForReplicaSets,
} from "./replica-sets.ts";
import { scaleReplicaSetAndRecordEvent } from "./scale.ts";
import { cleanupDeployment } from "./sync.ts";

/** Pods by the uid of the ReplicaSet controlling them. */
export type PodMap = Map<string, Pod[]>;

export async function rolloutRecreate(
  deps: DeploymentSyncDeps,
  d: Deployment,
  rsList: readonly ReplicaSet[],
  podMap: PodMap,
): Promise<void> {
  // No new ReplicaSet yet: it must not start before the old pods are gone.
  let { newRS, oldRSs } = await getAllReplicaSetsAndSyncRevision(deps, d, rsList, false);
  let allRSs = [...oldRSs, newRS];
  let scaledDown = false;
  for (const rs of filterActiveReplicaSets(oldRSs)) {
    if ((await scaleReplicaSetAndRecordEvent(deps, rs, 0, d)).scaled) scaledDown = true;
  }
  if (scaledDown || oldPodsRunning(newRS, oldRSs, podMap)) {
    return syncRolloutStatus(deps, allRSs, newRS, d);
  }
  if (!newRS) {
    ({ newRS, oldRSs } = await getAllReplicaSetsAndSyncRevision(deps, d, rsList, true));
    allRSs = [...oldRSs, newRS];
  }
  if (newRS) await scaleReplicaSetAndRecordEvent(deps, newRS, deploymentReplicas(d), d);
  if (deploymentComplete(d, d.status ?? {})) await cleanupDeployment(deps, oldRSs, d);
  return syncRolloutStatus(deps, allRSs, newRS, d);
}

/** Whether any old ReplicaSet still reports pods, or any of its pods has not finished. */
export function oldPodsRunning(
  newRS: ReplicaSet | undefined,
  oldRSs: readonly ReplicaSet[],
  podMap: PodMap,
): boolean {
  if (getActualReplicaCountForReplicaSets(oldRSs) > 0) return true;
  for (const [rsUid, pods] of podMap) {
    if (newRS && newRS.metadata?.uid === rsUid) continue;
    for (const pod of pods) {
      const phase = pod.status?.phase;
      if (phase !== "Failed" && phase !== "Succeeded") return true;
    }
  }
  return false;
}
