/**
 * Deployment status and the non-rollout syncs (upstream `sync.go`): `calculateStatus`, the
 * sync used while paused or when only the size changed (scale, prune history, write status),
 * the status-only sync of a Deployment being deleted, and revisionHistoryLimit cleanup.
 */
import { isDeepStrictEqual } from "node:util";
import type { DeploymentStatus } from "../../api/generated/types.ts";
import { isStatusError } from "../../machinery/status.ts";
import type { Deployment, ReplicaSet } from "../common/objects.ts";
import { revision } from "./annotations.ts";
import { newDeploymentCondition, reasons, setDeploymentCondition } from "./conditions.ts";
import { hasRevisionHistoryLimit, maxUnavailable } from "./deployment-util.ts";
import { type DeploymentSyncDeps, replicaSetPath, updateDeploymentStatus } from "./deps.ts";
import { getAllReplicaSetsAndSyncRevision } from "./new-replica-set.ts";
import {
  byCreationTimestamp,
  deploymentReplicas,
  getActualReplicaCountForReplicaSets,
  getAvailableReplicaCountForReplicaSets,
  getReadyReplicaCountForReplicaSets,
  getReplicaCountForReplicaSets,
  rsReplicas,
} from "./replica-sets.ts";
import { scale } from "./scale.ts";

/** `calculateStatus`: counters summed over the ReplicaSets, and the Available condition. */
export function calculateStatus(
  allRSs: readonly (ReplicaSet | undefined)[],
  newRS: ReplicaSet | undefined,
  d: Deployment,
  nowMs: number,
): DeploymentStatus {
  const available = getAvailableReplicaCountForReplicaSets(allRSs);
  const total = getReplicaCountForReplicaSets(allRSs);
  const status = omitZeros({
    observedGeneration: d.metadata?.generation ?? 0,
    replicas: getActualReplicaCountForReplicaSets(allRSs),
    updatedReplicas: getActualReplicaCountForReplicaSets([newRS]),
    readyReplicas: getReadyReplicaCountForReplicaSets(allRSs),
    availableReplicas: available,
    unavailableReplicas: Math.max(0, total - available),
    ...(d.status?.collisionCount !== undefined ? { collisionCount: d.status.collisionCount } : {}),
    conditions: (d.status?.conditions ?? []).map((c) => ({ ...c })),
  });
  const minAvailable = deploymentReplicas(d) - maxUnavailable(d);
  const condition =
    available >= minAvailable
      ? newDeploymentCondition({
          type: "Available",
          status: "True",
          reason: reasons.minimumReplicasAvailable,
          message: "Deployment has minimum availability.",
          nowMs,
        })
      : newDeploymentCondition({
          type: "Available",
          status: "False",
          reason: reasons.minimumReplicasUnavailable,
          message: "Deployment does not have minimum availability.",
          nowMs,
        });
  setDeploymentCondition(status, condition);
  return status;
}

/** Go's `omitempty` on every DeploymentStatus field. */
export function omitZeros(s: DeploymentStatus): DeploymentStatus {
  const out: DeploymentStatus = {};
  for (const key of [
    "observedGeneration",
    "replicas",
    "updatedReplicas",
    "readyReplicas",
    "availableReplicas",
    "unavailableReplicas",
    "terminatingReplicas",
  ] as const) {
    if (s[key]) out[key] = s[key];
  }
  if (s.collisionCount !== undefined) out.collisionCount = s.collisionCount;
  if (s.conditions && s.conditions.length > 0) out.conditions = s.conditions;
  return out;
}

export function statusEqual(a: DeploymentStatus | undefined, b: DeploymentStatus): boolean {
  return isDeepStrictEqual(omitZeros(a ?? {}), omitZeros(b));
}

/** `syncDeploymentStatus`: writes the calculated status if it changed. */
export async function syncDeploymentStatus(
  deps: DeploymentSyncDeps,
  allRSs: readonly (ReplicaSet | undefined)[],
  newRS: ReplicaSet | undefined,
  d: Deployment,
): Promise<void> {
  const newStatus = calculateStatus(allRSs, newRS, d, deps.clock.now());
  if (statusEqual(d.status, newStatus)) return;
  d.status = newStatus;
  await updateDeploymentStatus(deps, d);
}

/** `sync`: for paused Deployments and pure scaling events; no rollout. */
export async function sync(
  deps: DeploymentSyncDeps,
  d: Deployment,
  rsList: readonly ReplicaSet[],
): Promise<void> {
  const { newRS, oldRSs } = await getAllReplicaSetsAndSyncRevision(deps, d, rsList, false);
  await scale(deps, d, newRS, oldRSs);
  if (d.spec?.paused) await cleanupDeployment(deps, oldRSs, d);
  await syncDeploymentStatus(deps, [...oldRSs, newRS], newRS, d);
}

/** `syncStatusOnly`: a Deployment being deleted only gets its status updated. */
export async function syncStatusOnly(
  deps: DeploymentSyncDeps,
  d: Deployment,
  rsList: readonly ReplicaSet[],
): Promise<void> {
  const { newRS, oldRSs } = await getAllReplicaSetsAndSyncRevision(deps, d, rsList, false);
  await syncDeploymentStatus(deps, [...oldRSs, newRS], newRS, d);
}

/**
 * `cleanupDeployment`: deletes the oldest old ReplicaSets beyond revisionHistoryLimit, skipping
 * any that still have pods or whose controller has not caught up.
 */
export async function cleanupDeployment(
  deps: DeploymentSyncDeps,
  oldRSs: readonly ReplicaSet[],
  d: Deployment,
): Promise<void> {
  if (!hasRevisionHistoryLimit(d)) return;
  const cleanable = oldRSs.filter((rs) => !rs.metadata?.deletionTimestamp);
  const diff = cleanable.length - (d.spec?.revisionHistoryLimit ?? 0);
  if (diff <= 0) return;
  cleanable.sort(byRevision);
  for (const rs of cleanable.slice(0, diff)) {
    if (
      (rs.status?.replicas ?? 0) !== 0 ||
      rsReplicas(rs) !== 0 ||
      (rs.metadata?.generation ?? 0) > (rs.status?.observedGeneration ?? 0) ||
      rs.metadata?.deletionTimestamp
    ) {
      continue;
    }
    deps.log.debug("Trying to cleanup replica set for deployment", { rs: rs.metadata?.name });
    try {
      await deps.client.delete(replicaSetPath(rs));
    } catch (err) {
      if (!isStatusError(err, "NotFound")) throw err;
    }
  }
}

/** `ReplicaSetsByRevision`: lowest revision first, then oldest. */
function byRevision(a: ReplicaSet, b: ReplicaSet): number {
  const ra = safeRevision(a);
  const rb = safeRevision(b);
  return ra === rb ? byCreationTimestamp(a, b) : ra - rb;
}

function safeRevision(rs: ReplicaSet): number {
  try {
    return revision(rs);
  } catch {
    return 0;
  }
}
