/**
 * Pod readiness and availability as controllers judge them (upstream `podutil.IsPodReady`,
 * `IsPodAvailable` and `controller.IsPodActive`).
 */
import type { Pod, PodCondition } from "../../api/generated/types.ts";
import { parseTime } from "../../machinery/time.ts";

/** Not finished (Succeeded/Failed) and not being deleted. */
export function isPodActive(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase !== "Succeeded" && phase !== "Failed" && !pod.metadata?.deletionTimestamp;
}

export function isPodTerminating(pod: Pod): boolean {
  return Boolean(pod.metadata?.deletionTimestamp);
}

export function getPodReadyCondition(pod: Pod): PodCondition | undefined {
  return pod.status?.conditions?.find((c) => c.type === "Ready");
}

export function isPodReady(pod: Pod): boolean {
  return getPodReadyCondition(pod)?.status === "True";
}

/** When the pod last became ready (ms), if it is ready. */
export function podReadyTime(pod: Pod): number | undefined {
  const c = getPodReadyCondition(pod);
  return c?.status === "True" ? parseTime(c.lastTransitionTime) : undefined;
}

/** Ready for at least `minReadySeconds` at `nowMs`. */
export function isPodAvailable(pod: Pod, minReadySeconds: number, nowMs: number): boolean {
  if (!isPodReady(pod)) return false;
  if (!minReadySeconds) return true;
  const since = podReadyTime(pod);
  return since !== undefined && since + minReadySeconds * 1000 < nowMs;
}

/** `namespace/name` of a pod, as the expectations track it. */
export function podKey(pod: Pod): string {
  return `${pod.metadata?.namespace ?? ""}/${pod.metadata?.name ?? ""}`;
}
