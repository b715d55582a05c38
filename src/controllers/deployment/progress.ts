/**
 * Rollout progress (upstream `progress.go`): the Progressing condition moves through
 * ReplicaSetUpdated while pods move, NewReplicaSetAvailable once complete, and
 * ProgressDeadlineExceeded when nothing moved for progressDeadlineSeconds; a stuck Deployment is
 * requeued for when its deadline passes. Pausing and resuming set Progressing to Unknown.
 */
import type { DeploymentCondition, DeploymentStatus } from "../../api/generated/types.ts";
import { parseTime } from "../../machinery/time.ts";
import type { Deployment, ReplicaSet } from "../common/objects.ts";
import {
  deploymentComplete,
  deploymentProgressing,
  deploymentTimedOut,
  getDeploymentCondition,
  newDeploymentCondition,
  reasons,
  removeDeploymentCondition,
  replicaSetToDeploymentCondition,
  setDeploymentCondition,
} from "./conditions.ts";
import { hasProgressDeadline } from "./deployment-util.ts";
import { type DeploymentSyncDeps, statusOf, updateDeploymentStatus } from "./deps.ts";
import { calculateStatus, statusEqual } from "./sync.ts";

/** `syncRolloutStatus`: status plus the Progressing and ReplicaFailure conditions. */
export async function syncRolloutStatus(
  deps: DeploymentSyncDeps,
  allRSs: readonly (ReplicaSet | undefined)[],
  newRS: ReplicaSet | undefined,
  d: Deployment,
): Promise<void> {
  const now = deps.clock.now();
  const newStatus = calculateStatus(allRSs, newRS, d, now);
  if (!hasProgressDeadline(d)) removeDeploymentCondition(newStatus, "Progressing");
  const currentCond = getDeploymentCondition(d.status, "Progressing");
  const isCompleteDeployment =
    (newStatus.replicas ?? 0) === (newStatus.updatedReplicas ?? 0) &&
    currentCond?.reason === reasons.newRSAvailable;
  if (hasProgressDeadline(d) && !isCompleteDeployment) {
    updateProgressingCondition({ d, newStatus, newRS, currentCond, now });
  }
  const failures = getReplicaFailures(allRSs, newRS);
  if (failures[0]) setDeploymentCondition(newStatus, failures[0]);
  else removeDeploymentCondition(newStatus, "ReplicaFailure");
  if (statusEqual(d.status, newStatus)) {
    requeueStuckDeployment(deps, d, newStatus);
    return;
  }
  d.status = newStatus;
  await updateDeploymentStatus(deps, d);
}

function updateProgressingCondition(options: {
  d: Deployment;
  newStatus: DeploymentStatus;
  newRS: ReplicaSet | undefined;
  currentCond: DeploymentCondition | undefined;
  now: number;
}): void {
  const { d, newStatus, newRS, currentCond, now: nowMs } = options;
  const subject = newRS
    ? `ReplicaSet "${newRS.metadata?.name}"`
    : `Deployment "${d.metadata?.name}"`;
  if (deploymentComplete(d, newStatus)) {
    const condition = newDeploymentCondition({
      type: "Progressing",
      status: "True",
      reason: reasons.newRSAvailable,
      message: `${subject} has successfully progressed.`,
      nowMs,
    });
    setDeploymentCondition(newStatus, condition);
  } else if (deploymentProgressing(d, newStatus)) {
    const condition = newDeploymentCondition({
      type: "Progressing",
      status: "True",
      reason: reasons.replicaSetUpdated,
      message: `${subject} is progressing.`,
      nowMs,
    });
    // Same reason again still counts as progress: refresh lastUpdateTime, keep the transition.
    if (currentCond) {
      if (currentCond.status === "True" && currentCond.lastTransitionTime) {
        condition.lastTransitionTime = currentCond.lastTransitionTime;
      }
      removeDeploymentCondition(newStatus, "Progressing");
    }
    setDeploymentCondition(newStatus, condition);
  } else if (deploymentTimedOut(d, newStatus, nowMs)) {
    const condition = newDeploymentCondition({
      type: "Progressing",
      status: "False",
      reason: reasons.timedOut,
      message: `${subject} has timed out progressing.`,
      nowMs,
    });
    setDeploymentCondition(newStatus, condition);
  }
}

/** ReplicaFailure conditions of the new ReplicaSet, else of the old ones. */
function getReplicaFailures(
  allRSs: readonly (ReplicaSet | undefined)[],
  newRS: ReplicaSet | undefined,
): DeploymentCondition[] {
  const failures = (rs: ReplicaSet | undefined) =>
    (rs?.status?.conditions ?? [])
      .filter((c) => c.type === "ReplicaFailure")
      .map(replicaSetToDeploymentCondition);
  const fromNew = failures(newRS);
  return fromNew.length > 0 ? fromNew : allRSs.flatMap(failures);
}

/** Requeues a Deployment with no sign of progress for when its deadline passes. */
function requeueStuckDeployment(
  deps: DeploymentSyncDeps,
  d: Deployment,
  newStatus: DeploymentStatus,
): void {
  const currentCond = getDeploymentCondition(d.status, "Progressing");
  if (!hasProgressDeadline(d) || !currentCond) return;
  if (deploymentComplete(d, newStatus) || currentCond.reason === reasons.timedOut) return;
  const lastUpdate = parseTime(currentCond.lastUpdateTime) ?? 0;
  const after = lastUpdate + (d.spec?.progressDeadlineSeconds ?? 0) * 1000 - deps.clock.now();
  if (after < 1000) deps.enqueueRateLimited(d);
  else deps.enqueueAfter(d, after + 1000);
}

/** `checkPausedConditions`: Progressing Unknown with DeploymentPaused / DeploymentResumed. */
export async function checkPausedConditions(
  deps: DeploymentSyncDeps,
  d: Deployment,
): Promise<void> {
  if (!hasProgressDeadline(d)) return;
  const cond = getDeploymentCondition(d.status, "Progressing");
  // A reported lack of progress is not overwritten by a pause.
  if (cond?.reason === reasons.timedOut) return;
  const pausedCondExists = cond?.reason === reasons.pausedDeploy;
  const paused = d.spec?.paused === true;
  let condition: DeploymentCondition | undefined;
  const nowMs = deps.clock.now();
  if (paused && !pausedCondExists) {
    condition = newDeploymentCondition({
      type: "Progressing",
      status: "Unknown",
      reason: reasons.pausedDeploy,
      message: "Deployment is paused",
      nowMs,
    });
  } else if (!paused && pausedCondExists) {
    condition = newDeploymentCondition({
      type: "Progressing",
      status: "Unknown",
      reason: reasons.resumedDeploy,
      message: "Deployment is resumed",
      nowMs,
    });
  }
  if (!condition) return;
  setDeploymentCondition(statusOf(d), condition);
  await updateDeploymentStatus(deps, d);
}
