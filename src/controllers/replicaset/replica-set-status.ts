/**
 * A ReplicaSet's status from its active pods (upstream `calculateStatus` and
 * `updateReplicaSetStatus`): replicas, fullyLabeledReplicas (pods carrying every template
 * label), readyReplicas, availableReplicas (ready for minReadySeconds), observedGeneration, and
 * the ReplicaFailure condition while creating or deleting pods fails.
 */
import type {
  Pod,
  ReplicaSet,
  ReplicaSetCondition,
  ReplicaSetStatus,
} from "../../api/generated/types.ts";
import type { KubeObject } from "../../api/object.ts";
import { resourcePath } from "../../client/resources.ts";
import type { RestClient } from "../../client/rest-client.ts";
import { formatTime } from "../../machinery/time.ts";
import { informerSetSelector } from "../common/informer-selectors.ts";
import { isPodAvailable, isPodReady } from "../common/pod-utils.ts";
import type { ReplicaSetKindAdapter } from "./kind-adapter.ts";

export const replicaFailureCondition = "ReplicaFailure";

/** Upstream `statusUpdateRetries`. */
const statusUpdateRetries = 1;

export function calculateStatus(
  rs: ReplicaSet,
  filteredPods: readonly Pod[],
  manageReplicasErr: unknown,
  nowMs: number,
): ReplicaSetStatus {
  const templateLabels = informerSetSelector(rs.spec?.template?.metadata?.labels);
  const minReadySeconds = rs.spec?.minReadySeconds ?? 0;
  let fullyLabeled = 0;
  let ready = 0;
  let available = 0;
  for (const pod of filteredPods) {
    if (templateLabels.matches(pod.metadata?.labels ?? {})) fullyLabeled++;
    if (isPodReady(pod)) {
      ready++;
      if (isPodAvailable(pod, minReadySeconds, nowMs)) available++;
    }
  }
  let conditions = [...(rs.status?.conditions ?? [])];
  const failure = conditions.find((c) => c.type === replicaFailureCondition);
  if (manageReplicasErr !== undefined && !failure) {
    const diff = filteredPods.length - (rs.spec?.replicas ?? 1);
    const reason = diff < 0 ? "FailedCreate" : diff > 0 ? "FailedDelete" : "";
    const cond: ReplicaSetCondition = {
      type: replicaFailureCondition,
      status: "True",
      lastTransitionTime: formatTime(nowMs),
      ...(reason ? { reason } : {}),
      message: errorMessage(manageReplicasErr),
    };
    conditions.push(cond);
  } else if (manageReplicasErr === undefined && failure) {
    conditions = conditions.filter((c) => c.type !== replicaFailureCondition);
  }
  return omitZeros({
    replicas: filteredPods.length,
    fullyLabeledReplicas: fullyLabeled,
    readyReplicas: ready,
    availableReplicas: available,
    observedGeneration: rs.status?.observedGeneration ?? 0,
    conditions,
  });
}

/**
 * Writes `newStatus` unless nothing changed; retries once on a stale copy. The write goes to the
 * adapter's resource, as the kind it stores (a ReplicationController's status has the same
 * fields).
 */
export async function updateReplicaSetStatus(
  deps: { readonly client: RestClient; readonly adapter: ReplicaSetKindAdapter },
  rs: ReplicaSet,
  newStatus: ReplicaSetStatus,
): Promise<ReplicaSet> {
  const { client, adapter } = deps;
  const old = rs.status;
  const generation = rs.metadata?.generation ?? 0;
  if (
    (old?.replicas ?? 0) === newStatus.replicas &&
    (old?.fullyLabeledReplicas ?? 0) === (newStatus.fullyLabeledReplicas ?? 0) &&
    (old?.readyReplicas ?? 0) === (newStatus.readyReplicas ?? 0) &&
    (old?.availableReplicas ?? 0) === (newStatus.availableReplicas ?? 0) &&
    generation === (old?.observedGeneration ?? 0) &&
    JSON.stringify(old?.conditions ?? []) === JSON.stringify(newStatus.conditions ?? [])
  ) {
    return rs;
  }
  // The generation acted on, even when a retry reads a newer object.
  const status = omitZeros({ ...newStatus, observedGeneration: generation });
  let current = rs;
  for (let i = 0; ; i++) {
    const meta = current.metadata ?? {};
    const path = resourcePath(adapter.resource, meta.namespace ?? "", meta.name ?? "");
    try {
      const body = adapter.toStored({ ...current, status });
      return adapter.fromStored(await client.update<KubeObject>(`${path}/status`, body));
    } catch (err) {
      if (i >= statusUpdateRetries) throw err;
      current = adapter.fromStored(await client.get<KubeObject>(path));
    }
  }
}

/** Go's `omitempty` for the optional counters and conditions; `replicas` is always written. */
function omitZeros(s: ReplicaSetStatus): ReplicaSetStatus {
  const out: ReplicaSetStatus = { replicas: s.replicas };
  if (s.fullyLabeledReplicas) out.fullyLabeledReplicas = s.fullyLabeledReplicas;
  if (s.readyReplicas) out.readyReplicas = s.readyReplicas;
  if (s.availableReplicas) out.availableReplicas = s.availableReplicas;
  if (s.observedGeneration) out.observedGeneration = s.observedGeneration;
  if (s.conditions && s.conditions.length > 0) out.conditions = s.conditions;
  return out;
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
