/**
 * Shared by the resource scoring strategies (upstream `resource_allocation.go`): for each
 * configured resource, what the node would have requested with the pod on it, and what it
 * can allocate. LeastAllocated counts non-zero requests (containers asking for nothing count
 * 100m/200Mi); BalancedAllocation counts actual requests.
 */
import type { NodeInfo } from "../../framework/node-info.ts";
import type { PodInfo } from "../../framework/pod-info.ts";
import type { Resource } from "../../framework/resource.ts";

export interface ResourceSpec {
  readonly name: string;
  readonly weight: number;
}

export const defaultResources: readonly ResourceSpec[] = [
  { name: "cpu", weight: 1 },
  { name: "memory", weight: 1 },
];

export function amountOf(r: Resource, name: string): number {
  switch (name) {
    case "cpu":
      return r.milliCPU;
    case "memory":
      return r.memory;
    case "ephemeral-storage":
      return r.ephemeralStorage;
    case "pods":
      return r.allowedPodNumber;
    default:
      return r.scalar?.get(name) ?? 0;
  }
}

/** [requested, allocatable] per resource, with the pod counted in. */
export function requestedAndAllocatable(
  pod: PodInfo,
  node: NodeInfo,
  resources: readonly ResourceSpec[],
  useRequested: boolean,
  requested: number[],
  allocatable: number[],
): void {
  for (let i = 0; i < resources.length; i++) {
    const name = (resources[i] as ResourceSpec).name;
    const nonZero = !useRequested && (name === "cpu" || name === "memory");
    const onNode = amountOf(nonZero ? node.nonZeroRequested : node.requested, name);
    const forPod = amountOf(nonZero ? pod.nonZeroRequests : pod.requests, name);
    requested[i] = onNode + forPod;
    allocatable[i] = amountOf(node.allocatable, name);
  }
}
