/**
 * StatefulSet status (upstream `updateStatus`, `completeRollingUpdate`, `inconsistentStatus` and
 * the status updater): counts of created, ready, available, current and updated pods, the two
 * revisions, and the write to `/status` when anything changed.
 */
import type {
  ControllerRevision,
  Pod,
  StatefulSet,
  StatefulSetStatus,
} from "../../api/generated/types.ts";
import { resourcePath, resources } from "../../client/resources.ts";
import type { RestClient } from "../../client/rest-client.ts";
import {
  getPodRevision,
  isCreated,
  isRunningAndAvailable,
  isRunningAndReady,
  isTerminating,
} from "./stateful-set-utils.ts";

export function computeStatus(options: {
  set: StatefulSet;
  current: ControllerRevision;
  update: ControllerRevision;
  collisionCount: number;
  now: number;
  pods: readonly Pod[];
}): StatefulSetStatus {
  const { set, current, update, now } = options;
  const minReady = set.spec?.minReadySeconds ?? 0;
  const status: StatefulSetStatus = {
    observedGeneration: set.metadata?.generation ?? 0,
    replicas: 0,
    readyReplicas: 0,
    availableReplicas: 0,
    currentReplicas: 0,
    updatedReplicas: 0,
    currentRevision: current.metadata?.name ?? "",
    updateRevision: update.metadata?.name ?? "",
    collisionCount: options.collisionCount,
  };
  const inc = (
    field: "readyReplicas" | "availableReplicas" | "currentReplicas" | "updatedReplicas",
  ) => {
    status[field] = (status[field] ?? 0) + 1;
  };
  for (const pod of options.pods) {
    if (isCreated(pod)) status.replicas++;
    if (isRunningAndReady(pod)) {
      inc("readyReplicas");
      if (isRunningAndAvailable(pod, minReady, now)) inc("availableReplicas");
    }
    if (isCreated(pod) && !isTerminating(pod)) {
      const revision = getPodRevision(pod);
      if (revision === status.currentRevision) inc("currentReplicas");
      if (revision === status.updateRevision) inc("updatedReplicas");
    }
  }
  if (set.status?.conditions) status.conditions = set.status.conditions;
  return status;
}

/** `completeRollingUpdate`: once every wanted pod is updated and ready, update becomes current. */
export function completeRollingUpdate(set: StatefulSet, status: StatefulSetStatus): void {
  const replicas = set.spec?.replicas ?? 1;
  if (
    (set.spec?.updateStrategy?.type ?? "RollingUpdate") === "RollingUpdate" &&
    status.updatedReplicas === replicas &&
    status.readyReplicas === replicas &&
    status.replicas === replicas
  ) {
    status.currentReplicas = status.updatedReplicas;
    status.currentRevision = status.updateRevision ?? "";
  }
}

/** `inconsistentStatus`: the computed status differs from the stored one. */
export function inconsistentStatus(set: StatefulSet, status: StatefulSetStatus): boolean {
  const old: Partial<StatefulSetStatus> = set.status ?? {};
  return (
    (status.observedGeneration ?? 0) > (old.observedGeneration ?? 0) ||
    status.replicas !== (old.replicas ?? 0) ||
    (status.currentReplicas ?? 0) !== (old.currentReplicas ?? 0) ||
    (status.readyReplicas ?? 0) !== (old.readyReplicas ?? 0) ||
    (status.updatedReplicas ?? 0) !== (old.updatedReplicas ?? 0) ||
    (status.availableReplicas ?? 0) !== (old.availableReplicas ?? 0) ||
    (status.currentRevision ?? "") !== (old.currentRevision ?? "") ||
    (status.updateRevision ?? "") !== (old.updateRevision ?? "") ||
    (status.collisionCount ?? 0) !== (old.collisionCount ?? 0)
  );
}

/** Writes `status` through `/status` if it differs from what the set has. */
export async function updateStatefulSetStatus(
  client: RestClient,
  set: StatefulSet,
  status: StatefulSetStatus,
): Promise<void> {
  completeRollingUpdate(set, status);
  if (!inconsistentStatus(set, status)) return;
  const meta = set.metadata ?? {};
  await client.update(resourcePath(resources.statefulsets, meta.namespace, meta.name, "status"), {
    ...set,
    status,
  });
}
