/**
 * Rollout arithmetic (upstream `deploymentutil`): maxSurge and maxUnavailable resolved against
 * the replica count, how far the new ReplicaSet may grow, and each ReplicaSet's share when a
 * Deployment is resized mid-rollout (proportional scaling).
 */
import { getScaledValueFromIntOrPercent } from "../../machinery/intstr.ts";
import type { Deployment, ReplicaSet } from "../common/objects.ts";
import { getDesiredReplicasAnnotation, getMaxReplicasAnnotation } from "./annotations.ts";
import { deploymentReplicas, getReplicaCountForReplicaSets, rsReplicas } from "./replica-sets.ts";

const maxInt32 = 2 ** 31 - 1;

export const isRollingUpdate = (d: Deployment): boolean =>
  (d.spec?.strategy?.type ?? "RollingUpdate") === "RollingUpdate";

export const hasProgressDeadline = (d: Deployment): boolean => {
  const s = d.spec?.progressDeadlineSeconds;
  return s !== undefined && s !== maxInt32;
};

export const hasRevisionHistoryLimit = (d: Deployment): boolean => {
  const l = d.spec?.revisionHistoryLimit;
  return l !== undefined && l !== maxInt32;
};

/** `ResolveFenceposts`: surge rounds up, unavailable down; both zero means one unavailable. */
export function resolveFenceposts(
  maxSurge: number | string | undefined,
  maxUnavailable: number | string | undefined,
  desired: number,
): { surge: number; unavailable: number } {
  const surge = getScaledValueFromIntOrPercent(maxSurge ?? 0, desired, true);
  let unavailable = getScaledValueFromIntOrPercent(maxUnavailable ?? 0, desired, false);
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return { surge, unavailable };
}

export function maxSurge(d: Deployment): number {
  if (!isRollingUpdate(d)) return 0;
  const ru = d.spec?.strategy?.rollingUpdate;
  return resolveFenceposts(ru?.maxSurge, ru?.maxUnavailable, deploymentReplicas(d)).surge;
}

export function maxUnavailable(d: Deployment): number {
  const replicas = deploymentReplicas(d);
  if (!isRollingUpdate(d) || replicas === 0) return 0;
  const ru = d.spec?.strategy?.rollingUpdate;
  const { unavailable } = resolveFenceposts(ru?.maxSurge, ru?.maxUnavailable, replicas);
  return Math.min(unavailable, replicas);
}

/** `NewRSNewReplicas`: the new ReplicaSet's next size. */
export function newRSNewReplicas(
  d: Deployment,
  allRSs: readonly (ReplicaSet | undefined)[],
  newRS: ReplicaSet,
): number {
  const replicas = deploymentReplicas(d);
  const type = d.spec?.strategy?.type ?? "RollingUpdate";
  if (type === "Recreate") return replicas;
  if (type !== "RollingUpdate") throw new Error(`deployment type ${type} isn't supported`);
  const surge = getScaledValueFromIntOrPercent(
    d.spec?.strategy?.rollingUpdate?.maxSurge ?? 0,
    replicas,
    true,
  );
  const currentPodCount = getReplicaCountForReplicaSets(allRSs);
  const maxTotalPods = replicas + surge;
  if (currentPodCount >= maxTotalPods) return rsReplicas(newRS);
  const scaleUpCount = Math.min(maxTotalPods - currentPodCount, replicas - rsReplicas(newRS));
  return rsReplicas(newRS) + scaleUpCount;
}

/** `IsSaturated`: the new ReplicaSet has, and is annotated for, every replica, all available. */
export function isSaturated(d: Deployment, rs: ReplicaSet | undefined): boolean {
  if (!rs) return false;
  const replicas = deploymentReplicas(d);
  return (
    getDesiredReplicasAnnotation(rs) === replicas &&
    rsReplicas(rs) === replicas &&
    (rs.status?.availableReplicas ?? 0) === replicas
  );
}

/** `GetReplicaSetProportion`: replicas to add to (or remove from) `rs` when resizing. */
export function getReplicaSetProportion(
  rs: ReplicaSet,
  d: Deployment,
  toAdd: number,
  added: number,
): number {
  if (rsReplicas(rs) === 0 || toAdd === 0 || toAdd === added) return 0;
  const fraction = getReplicaSetFraction(rs, d);
  const allowed = toAdd - added;
  return toAdd > 0 ? Math.min(fraction, allowed) : Math.max(fraction, allowed);
}

function getReplicaSetFraction(rs: ReplicaSet, d: Deployment): number {
  const replicas = deploymentReplicas(d);
  if (replicas === 0) return -rsReplicas(rs);
  const deploymentMaxReplicas = replicas + maxSurge(d);
  let before = getMaxReplicasAnnotation(rs);
  if (!before) {
    // No (or a zero) annotation: fall back to the Deployment's current size.
    before = d.status?.replicas ?? 0;
    if (before === 0) return 0;
  }
  const newSize = (rsReplicas(rs) * deploymentMaxReplicas) / before;
  return roundToInt32(newSize) - rsReplicas(rs);
}

/** Go's `math.Round` (half away from zero). */
function roundToInt32(x: number): number {
  return Math.sign(x) * Math.round(Math.abs(x));
}
