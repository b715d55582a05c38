/**
 * What the Job controller reads off its pods (upstream `pkg/controller/job` utils): which are
 * active, terminating, ready or failed, their completion index, when they finished, and the
 * tracking finalizer that keeps a finished pod around until the Job has counted it.
 */
import type { Job, Pod } from "../../api/generated/types.ts";
import type { KubeObject } from "../../api/object.ts";
import { formatTime } from "../../machinery/time.ts";
import { compareActivePods } from "../common/active-pods.ts";
import { getControllerOf } from "../common/controller-ref.ts";
import { isPodActive, isPodReady } from "../common/pod-utils.ts";

export type JobObj = Job & KubeObject;
export type PodObj = Pod & KubeObject;

export const jobTrackingFinalizer = "batch.kubernetes.io/job-tracking";
export const jobCompletionIndexAnnotation = "batch.kubernetes.io/job-completion-index";
export const completionIndexEnvName = "JOB_COMPLETION_INDEX";

export const controllerRefOf = getControllerOf;

/** The `namespace/name` of the batch/v1 Job controlling `pod`, if any. */
export function jobKeyOfPod(pod: PodObj): string | undefined {
  const ref = controllerRefOf(pod);
  if (ref?.kind !== "Job" || ref.apiVersion !== "batch/v1") return undefined;
  return `${pod.metadata?.namespace ?? ""}/${ref.name}`;
}

export function isFinished(pod: PodObj): boolean {
  const phase = pod.status?.phase;
  return phase === "Succeeded" || phase === "Failed";
}

/** `FilterActivePods`: neither finished nor being deleted. */
export const isActive = isPodActive;

/** `CountTerminatingPods`: being deleted but not yet finished. */
export function isTerminating(pod: PodObj): boolean {
  return !isFinished(pod) && !!pod.metadata?.deletionTimestamp;
}

export const isReady = isPodReady;

export function hasTrackingFinalizer(pod: PodObj): boolean {
  return (pod.metadata?.finalizers ?? []).includes(jobTrackingFinalizer);
}

/** Replacement pods wait for terminating ones to finish (podReplacementPolicy Failed). */
export function onlyReplaceFailedPods(job: JobObj): boolean {
  if (job.spec?.podReplacementPolicy === "Failed") return true;
  return job.spec?.podFailurePolicy != null;
}

/** A failed pod, or a pod deleted before it could succeed (orphans never reach Failed). */
export function isPodFailed(pod: PodObj, job: JobObj): boolean {
  if (pod.status?.phase === "Failed") return true;
  if (onlyReplaceFailedPods(job)) return false;
  return !!pod.metadata?.deletionTimestamp && pod.status?.phase !== "Succeeded";
}

/** The completion index of an Indexed Job's pod; undefined when absent or invalid. */
export function completionIndexOf(pod: PodObj): number | undefined {
  const text = pod.metadata?.annotations?.[jobCompletionIndexAnnotation];
  if (text === undefined || !/^\d+$/.test(text)) return undefined;
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : undefined;
}

/** `getFinishedTime`: the last container exit, else readiness loss, deletion, or creation. */
export function finishedTimeOf(pod: PodObj): number {
  let latest: number | undefined;
  const statuses = [
    ...(pod.status?.initContainerStatuses ?? []),
    ...(pod.status?.containerStatuses ?? []),
  ];
  for (const s of statuses) {
    const at = s.state?.terminated?.finishedAt;
    if (at) latest = Math.max(latest ?? 0, Date.parse(at));
  }
  if (latest !== undefined) return latest;
  const ready = (pod.status?.conditions ?? []).find(
    (c) => c.type === "Ready" && c.status === "False",
  );
  if (ready?.lastTransitionTime) return Date.parse(ready.lastTransitionTime);
  if (pod.metadata?.deletionTimestamp) return Date.parse(pod.metadata.deletionTimestamp);
  return Date.parse(pod.metadata?.creationTimestamp ?? "") || 0;
}

/** Container restarts of running or pending pods (the OnFailure back-off limit counts them). */
export function restartCountOf(pod: PodObj): number {
  const phase = pod.status?.phase;
  if (phase !== "Running" && phase !== "Pending") return 0;
  const statuses = [
    ...(pod.status?.initContainerStatuses ?? []),
    ...(pod.status?.containerStatuses ?? []),
  ];
  return statuses.reduce((n, s) => n + (s.restartCount ?? 0), 0);
}

/** The order to delete active pods in (upstream `controller.ActivePods`): the first goes first. */
export function sortForDeletion(pods: readonly PodObj[], now: number): PodObj[] {
  const compare = compareActivePods(now);
  return pods
    .map((pod) => ({ pod, rank: 0 }))
    .sort(compare)
    .map((r) => r.pod as PodObj);
}

export const rfc3339 = formatTime;
