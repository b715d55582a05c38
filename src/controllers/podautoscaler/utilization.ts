/**
 * Upstream's `metrics/utilization.go` and the pods' requests (`calculateRequests`): the ratio of
 * the usage to the target, over pods with both a metric and a request. Sums are exact (BigInt),
 * divisions truncate as Go's integer division does.
 */
import type { Pod } from "../../api/generated/types.ts";
import { parseQuantity } from "../../machinery/quantity.ts";
import type { PodMetricsInfo } from "./resource-metrics.ts";

export interface Failure {
  readonly error: string;
}

export const isFailure = (r: object): r is Failure => "error" in r;

export const goDiv = (a: bigint, b: bigint): number => Number(a / b);

/** `GetResourceUtilizationRatio`. */
export function getResourceUtilizationRatio(
  metrics: PodMetricsInfo,
  requests: ReadonlyMap<string, number>,
  targetUtilization: number,
): { ratio: number; utilization: number; rawAverage: number } | Failure {
  let metricsTotal = 0n;
  let requestsTotal = 0n;
  let entries = 0n;
  for (const [pod, m] of metrics) {
    const request = requests.get(pod);
    if (request === undefined) continue; // extraneous metrics
    metricsTotal += BigInt(m.value);
    requestsTotal += BigInt(request);
    entries++;
  }
  if (requestsTotal === 0n) return { error: "no metrics returned matched known pods" };
  const utilization = goDiv(metricsTotal * 100n, requestsTotal);
  return {
    ratio: utilization / targetUtilization,
    utilization,
    rawAverage: goDiv(metricsTotal, entries),
  };
}

/** `GetMetricUsageRatio`. */
export function getMetricUsageRatio(
  metrics: PodMetricsInfo,
  targetUsage: number,
): { ratio: number; usage: number } {
  let total = 0n;
  for (const m of metrics.values()) total += BigInt(m.value);
  const usage = goDiv(total, BigInt(metrics.size));
  return { ratio: usage / targetUsage, usage };
}

/** `calculatePodRequestsFromContainers`, and pod-level requests when the pod sets them. */
export function calculateRequests(
  pods: readonly Pod[],
  container: string,
  resource: string,
): Map<string, number> | Failure {
  const requests = new Map<string, number>();
  for (const pod of pods) {
    const name = pod.metadata?.name ?? "";
    const podLevel = pod.spec?.resources?.requests;
    const podLevelSet = Object.keys(podLevel ?? {}).some((r) => r === "cpu" || r === "memory");
    if (container === "" && podLevelSet) {
      const q = podLevel?.[resource];
      if (q === undefined)
        return { error: `missing pod-level request for ${resource} in Pod ${name}` };
      requests.set(name, parseQuantity(q).milliValue());
      continue;
    }
    const containers = [
      ...(pod.spec?.containers ?? []),
      ...(pod.spec?.initContainers ?? []).filter((c) => c.restartPolicy === "Always"),
    ];
    let request = 0;
    let found = false;
    for (const c of containers) {
      if (container !== "" && container !== c.name) continue;
      const q = c.resources?.requests?.[resource];
      if (q === undefined) {
        return { error: `missing request for ${resource} in container ${c.name} of Pod ${name}` };
      }
      request += parseQuantity(q).milliValue();
      found = true;
      if (container !== "") break; // container names are unique in a pod
    }
    if (container !== "" && !found)
      return { error: `container ${container} not found in Pod ${name}` };
    requests.set(name, request);
  }
  return requests;
}
