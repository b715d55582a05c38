/**
 * The RollingUpdate strategy (upstream `rolling.go`): grow the new ReplicaSet as far as
 * maxSurge allows, then shrink old ReplicaSets as far as maxUnavailable allows (their
 * unavailable pods first), and prune history once the rollout is complete.
 */
import type { Deployment, ReplicaSet } from "../common/objects.ts";
import { deploymentComplete } from "./conditions.ts";
import { maxUnavailable, newRSNewReplicas } from "./deployment-util.ts";
import type { DeploymentSyncDeps } from "./deps.ts";
import { getAllReplicaSetsAndSyncRevision } from "./new-replica-set.ts";
import { syncRolloutStatus } from "./progress.ts";
import {
  byCreationTimestamp,
  deploymentReplicas,
  filterActiveReplicaSets,
  getAvailableReplicaCountForReplicaSets,
  getReplicaCountForReplicaSets,
  rsReplicas,
} from "./replica-sets.ts";
import { scaleReplicaSetAndRecordEvent } from "./scale.ts";
import { cleanupDeployment } from "./sync.ts";

export async function rolloutRolling(
  deps: DeploymentSyncDeps,
  d: Deployment,
  rsList: readonly ReplicaSet[],
): Promise<void> {
  const { newRS, oldRSs } = await getAllReplicaSetsAndSyncRevision(deps, d, rsList, true);
  if (!newRS) throw new Error("new replica set was not created");
  const allRSs = [...oldRSs, newRS];
  if (await reconcileNewReplicaSet(deps, allRSs, newRS, d)) {
    return syncRolloutStatus(deps, allRSs, newRS, d);
  }
  const activeOld = filterActiveReplicaSets(oldRSs);
  if (await reconcileOldReplicaSets(deps, { allRSs, oldRSs: activeOld, newRS, d })) {
    return syncRolloutStatus(deps, allRSs, newRS, d);
  }
  if (deploymentComplete(d, d.status ?? {})) await cleanupDeployment(deps, oldRSs, d);
  return syncRolloutStatus(deps, allRSs, newRS, d);
}

async function reconcileNewReplicaSet(
  deps: DeploymentSyncDeps,
  allRSs: readonly ReplicaSet[],
  newRS: ReplicaSet,
  d: Deployment,
): Promise<boolean> {
  const replicas = deploymentReplicas(d);
  if (rsReplicas(newRS) === replicas) return false;
  const target = rsReplicas(newRS) > replicas ? replicas : newRSNewReplicas(d, allRSs, newRS);
  return (await scaleReplicaSetAndRecordEvent(deps, newRS, target, d)).scaled;
}

/** Scales old ReplicaSets down while keeping replicas - maxUnavailable pods available. */
async function reconcileOldReplicaSets(
  deps: DeploymentSyncDeps,
  options: { allRSs: ReplicaSet[]; oldRSs: ReplicaSet[]; newRS: ReplicaSet; d: Deployment },
): Promise<boolean> {
  const { newRS, d } = options;
  if (getReplicaCountForReplicaSets(options.oldRSs) === 0) return false;
  const allPodsCount = getReplicaCountForReplicaSets(options.allRSs);
  const minAvailable = deploymentReplicas(d) - maxUnavailable(d);
  const newRSUnavailable = rsReplicas(newRS) - (newRS.status?.availableReplicas ?? 0);
  const maxScaledDown = allPodsCount - minAvailable - newRSUnavailable;
  if (maxScaledDown <= 0) return false;
  // Unhealthy old replicas go first: they would otherwise block the rollout.
  const cleaned = await cleanupUnhealthyReplicas(deps, options.oldRSs, d, maxScaledDown);
  const scaledDown = await scaleDownOldReplicaSetsForRollingUpdate(
    deps,
    [...cleaned.oldRSs, newRS],
    cleaned.oldRSs,
    d,
  );
  return cleaned.count + scaledDown > 0;
}

async function cleanupUnhealthyReplicas(
  deps: DeploymentSyncDeps,
  oldRSs: ReplicaSet[],
  d: Deployment,
  maxCleanupCount: number,
): Promise<{ oldRSs: ReplicaSet[]; count: number }> {
  const sorted = [...oldRSs].sort(byCreationTimestamp);
  let total = 0;
  for (const [i, rs] of sorted.entries()) {
    if (total >= maxCleanupCount) break;
    const available = rs.status?.availableReplicas ?? 0;
    if (rsReplicas(rs) === 0 || rsReplicas(rs) === available) continue;
    const count = Math.min(maxCleanupCount - total, rsReplicas(rs) - available);
    const newCount = rsReplicas(rs) - count;
    if (newCount > rsReplicas(rs)) {
      const name = `${rs.metadata?.namespace}/${rs.metadata?.name}`;
      throw new Error(
        `when cleaning up unhealthy replicas, got invalid request to scale down ${name} ${rsReplicas(rs)} -> ${newCount}`,
      );
    }
    sorted[i] = (await scaleReplicaSetAndRecordEvent(deps, rs, newCount, d)).rs;
    total += count;
  }
  return { oldRSs: sorted, count: total };
}

async function scaleDownOldReplicaSetsForRollingUpdate(
  deps: DeploymentSyncDeps,
  allRSs: readonly ReplicaSet[],
  oldRSs: readonly ReplicaSet[],
  d: Deployment,
): Promise<number> {
  const minAvailable = deploymentReplicas(d) - maxUnavailable(d);
  const availablePodCount = getAvailableReplicaCountForReplicaSets(allRSs);
  if (availablePodCount <= minAvailable) return 0;
  const totalScaleDownCount = availablePodCount - minAvailable;
  let total = 0;
  for (const rs of [...oldRSs].sort(byCreationTimestamp)) {
    if (total >= totalScaleDownCount) break;
    if (rsReplicas(rs) === 0) continue;
    const count = Math.min(rsReplicas(rs), totalScaleDownCount - total);
    await scaleReplicaSetAndRecordEvent(deps, rs, rsReplicas(rs) - count, d);
    total += count;
  }
  return total;
}
