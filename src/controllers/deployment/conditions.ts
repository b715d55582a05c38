/**
 * Deployment conditions (upstream `deploymentutil`): `Available` (MinimumReplicasAvailable /
 * MinimumReplicasUnavailable), `Progressing` (NewReplicaSetCreated, FoundNewReplicaSet,
 * ReplicaSetUpdated, NewReplicaSetAvailable, ProgressDeadlineExceeded, DeploymentPaused,
 * DeploymentResumed, ReplicaSetCreateError) and `ReplicaFailure` copied from a ReplicaSet; and
 * the tests of a rollout: complete, progressing, timed out.
 */
import type {
  DeploymentCondition,
  DeploymentStatus,
  ReplicaSetCondition,
} from "../../api/generated/types.ts";
import { formatTime, parseTime } from "../../machinery/time.ts";
import type { Deployment } from "../common/objects.ts";
import { hasProgressDeadline } from "./deployment-util.ts";
import { deploymentReplicas } from "./replica-sets.ts";

export type DeploymentConditionType = "Available" | "Progressing" | "ReplicaFailure";

export const reasons = {
  failedRSCreate: "ReplicaSetCreateError",
  newReplicaSet: "NewReplicaSetCreated",
  foundNewRS: "FoundNewReplicaSet",
  newRSAvailable: "NewReplicaSetAvailable",
  timedOut: "ProgressDeadlineExceeded",
  pausedDeploy: "DeploymentPaused",
  resumedDeploy: "DeploymentResumed",
  minimumReplicasAvailable: "MinimumReplicasAvailable",
  minimumReplicasUnavailable: "MinimumReplicasUnavailable",
  replicaSetUpdated: "ReplicaSetUpdated",
} as const;

export function newDeploymentCondition(options: {
  type: DeploymentConditionType;
  status: "True" | "False" | "Unknown";
  reason: string;
  message: string;
  nowMs: number;
}): DeploymentCondition {
  const time = formatTime(options.nowMs);
  return {
    type: options.type,
    status: options.status,
    lastUpdateTime: time,
    lastTransitionTime: time,
    reason: options.reason,
    message: options.message,
  };
}

export function getDeploymentCondition(
  status: DeploymentStatus | undefined,
  type: DeploymentConditionType,
): DeploymentCondition | undefined {
  return status?.conditions?.find((c) => c.type === type);
}

/**
 * `SetDeploymentCondition`: no-op when status and reason are unchanged; keeps the transition
 * time when only the reason changes.
 */
export function setDeploymentCondition(status: DeploymentStatus, cond: DeploymentCondition): void {
  const current = status.conditions?.find((c) => c.type === cond.type);
  if (current && current.status === cond.status && current.reason === cond.reason) return;
  const next = { ...cond };
  if (current && current.status === cond.status && current.lastTransitionTime) {
    next.lastTransitionTime = current.lastTransitionTime;
  }
  status.conditions = [...(status.conditions ?? []).filter((c) => c.type !== cond.type), next];
}

export function removeDeploymentCondition(
  status: DeploymentStatus,
  type: DeploymentConditionType,
): void {
  if (!status.conditions) return;
  status.conditions = status.conditions.filter((c) => c.type !== type);
}

/** `ReplicaSetToDeploymentCondition`. */
export function replicaSetToDeploymentCondition(c: ReplicaSetCondition): DeploymentCondition {
  return {
    type: c.type,
    status: c.status,
    ...(c.lastTransitionTime
      ? { lastTransitionTime: c.lastTransitionTime, lastUpdateTime: c.lastTransitionTime }
      : {}),
    ...(c.reason ? { reason: c.reason } : {}),
    ...(c.message ? { message: c.message } : {}),
  };
}

/** `DeploymentComplete`: every replica updated and available, and the spec observed. */
export function deploymentComplete(d: Deployment, s: DeploymentStatus): boolean {
  const replicas = deploymentReplicas(d);
  return (
    (s.updatedReplicas ?? 0) === replicas &&
    (s.replicas ?? 0) === replicas &&
    (s.availableReplicas ?? 0) === replicas &&
    (s.observedGeneration ?? 0) >= (d.metadata?.generation ?? 0)
  );
}

/** `DeploymentProgressing`: more updated, ready or available pods, or fewer old ones. */
export function deploymentProgressing(d: Deployment, s: DeploymentStatus): boolean {
  const old = d.status ?? {};
  const oldOld = (old.replicas ?? 0) - (old.updatedReplicas ?? 0);
  const newOld = (s.replicas ?? 0) - (s.updatedReplicas ?? 0);
  return (
    (s.updatedReplicas ?? 0) > (old.updatedReplicas ?? 0) ||
    newOld < oldOld ||
    (s.readyReplicas ?? 0) > (old.readyReplicas ?? 0) ||
    (s.availableReplicas ?? 0) > (old.availableReplicas ?? 0)
  );
}

/** `DeploymentTimedOut`: no progress recorded for progressDeadlineSeconds. */
export function deploymentTimedOut(d: Deployment, s: DeploymentStatus, nowMs: number): boolean {
  if (!hasProgressDeadline(d)) return false;
  const cond = getDeploymentCondition(s, "Progressing");
  if (!cond) return false;
  if (cond.reason === reasons.newRSAvailable) return false;
  if (cond.reason === reasons.timedOut) return true;
  const from = parseTime(cond.lastUpdateTime) ?? 0;
  return from + (d.spec?.progressDeadlineSeconds ?? 0) * 1000 < nowMs;
}
