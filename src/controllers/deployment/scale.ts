/**
 * Resizing a Deployment's ReplicaSets (upstream `sync.go` `scale`, `scaleReplicaSet`): a lone
 * active ReplicaSet simply takes the Deployment's size; during a rolling update the difference is
 * shared among the active ReplicaSets in proportion to their size, the largest absorbing the
 * rounding leftovers. Every size change is an event "Scaled up replica set web-… from 0 to 3".
 */
import type { Deployment, ReplicaSet } from "../common/objects.ts";
import {
  getDesiredReplicasAnnotation,
  replicasAnnotationsNeedUpdate,
  setReplicasAnnotations,
} from "./annotations.ts";
import {
  getReplicaSetProportion,
  isRollingUpdate,
  isSaturated,
  maxSurge,
} from "./deployment-util.ts";
import { type DeploymentSyncDeps, replicaSetPath } from "./deps.ts";
import {
  bySizeNewer,
  bySizeOlder,
  deploymentReplicas,
  filterActiveReplicaSets,
  findActiveOrLatest,
  getReplicaCountForReplicaSets,
  rsReplicas,
} from "./replica-sets.ts";

export interface ScaleResult {
  readonly scaled: boolean;
  readonly rs: ReplicaSet;
}

/** Writes the size and the replica annotations when either changed. */
export async function scaleReplicaSet(
  deps: DeploymentSyncDeps,
  options: { rs: ReplicaSet; newScale: number; d: Deployment; operation: string },
): Promise<ScaleResult> {
  const { rs, newScale, d } = options;
  const replicas = deploymentReplicas(d);
  const max = replicas + maxSurge(d);
  const sizeNeedsUpdate = rsReplicas(rs) !== newScale;
  if (!sizeNeedsUpdate && !replicasAnnotationsNeedUpdate(rs, replicas, max)) {
    return { scaled: false, rs };
  }
  const oldScale = rsReplicas(rs);
  const copy = structuredClone(rs);
  copy.spec = { ...(copy.spec ?? { selector: {} }), replicas: newScale };
  setReplicasAnnotations(copy, replicas, max);
  const updated = await deps.client.update<ReplicaSet>(replicaSetPath(rs), copy);
  if (sizeNeedsUpdate) {
    const name = updated.metadata?.name ?? "";
    deps.recorder.event(
      d,
      "Normal",
      "ScalingReplicaSet",
      `Scaled ${options.operation} replica set ${name} from ${oldScale} to ${newScale}`,
    );
  }
  return { scaled: sizeNeedsUpdate, rs: updated };
}

export async function scaleReplicaSetAndRecordEvent(
  deps: DeploymentSyncDeps,
  rs: ReplicaSet,
  newScale: number,
  d: Deployment,
): Promise<ScaleResult> {
  if (rsReplicas(rs) === newScale) return { scaled: false, rs };
  const operation = rsReplicas(rs) < newScale ? "up" : "down";
  return scaleReplicaSet(deps, { rs, newScale, d, operation });
}

/** `scale`: brings the ReplicaSets to the Deployment's (possibly new) size. */
export async function scale(
  deps: DeploymentSyncDeps,
  d: Deployment,
  newRS: ReplicaSet | undefined,
  oldRSs: readonly ReplicaSet[],
): Promise<void> {
  const replicas = deploymentReplicas(d);
  const activeOrLatest = findActiveOrLatest(newRS, oldRSs);
  if (activeOrLatest) {
    if (rsReplicas(activeOrLatest) !== replicas) {
      await scaleReplicaSetAndRecordEvent(deps, activeOrLatest, replicas, d);
    }
    return;
  }
  // A saturated new ReplicaSet: the old ones should be gone.
  if (isSaturated(d, newRS)) {
    for (const old of filterActiveReplicaSets(oldRSs)) {
      await scaleReplicaSetAndRecordEvent(deps, old, 0, d);
    }
    return;
  }
  if (isRollingUpdate(d)) await scaleProportionally(deps, d, [...oldRSs, newRS]);
}

async function scaleProportionally(
  deps: DeploymentSyncDeps,
  d: Deployment,
  rss: readonly (ReplicaSet | undefined)[],
): Promise<void> {
  const allRSs = filterActiveReplicaSets(rss);
  const replicas = deploymentReplicas(d);
  const allowedSize = replicas > 0 ? replicas + maxSurge(d) : 0;
  const toAdd = allowedSize - getReplicaCountForReplicaSets(allRSs);
  let operation = "";
  // Scaling up grows newer ReplicaSets first, scaling down shrinks older ones first.
  if (toAdd > 0) {
    allRSs.sort(bySizeNewer);
    operation = "up";
  } else if (toAdd < 0) {
    allRSs.sort(bySizeOlder);
    operation = "down";
  }
  let added = 0;
  const sizes = allRSs.map((rs) => {
    if (toAdd === 0) return rsReplicas(rs);
    const proportion = getReplicaSetProportion(rs, d, toAdd, added);
    added += proportion;
    return rsReplicas(rs) + proportion;
  });
  for (const [i, rs] of allRSs.entries()) {
    let size = sizes[i] ?? 0;
    if (i === 0 && toAdd !== 0) size = Math.max(0, size + toAdd - added);
    await scaleReplicaSet(deps, { rs, newScale: size, d, operation });
  }
}

/** `isScalingEvent`: an active ReplicaSet was sized for a different Deployment size. */
export function isScalingEvent(
  d: Deployment,
  newRS: ReplicaSet | undefined,
  oldRSs: readonly ReplicaSet[],
): boolean {
  const replicas = deploymentReplicas(d);
  return filterActiveReplicaSets([...oldRSs, newRS]).some((rs) => {
    const desired = getDesiredReplicasAnnotation(rs);
    return desired !== undefined && desired !== replicas;
  });
}
