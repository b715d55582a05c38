/**
 * NodeResourcesFit: the pod's requests must fit what the node has left — cpu, memory,
 * ephemeral-storage, extended resources, and one more pod than it holds (Filter: "Insufficient
 * cpu", "Too many pods"; UnschedulableAndUnresolvable when the request exceeds the node's whole
 * allocatable, since preemption cannot help). Score: LeastAllocated (default) or MostAllocated.
 */
import type { FilterPlugin, Handle, ScorePlugin } from "../../framework/interface.ts";
import { maxNodeScore } from "../../framework/interface.ts";
import type { NodeInfo } from "../../framework/node-info.ts";
import type { PodInfo } from "../../framework/pod-info.ts";
import { type Status, success } from "../../framework/status.ts";
import {
  amountOf,
  defaultResources,
  type ResourceSpec,
  requestedAndAllocatable,
} from "./resource-allocation.ts";

export const name = "NodeResourcesFit";

export interface FitArgs {
  readonly ignoredResources?: readonly string[];
  readonly scoringStrategy?: {
    readonly type?: "LeastAllocated" | "MostAllocated";
    readonly resources?: readonly ResourceSpec[];
  };
}

export interface InsufficientResource {
  readonly resourceName: string;
  readonly reason: string;
  readonly requested: number;
  readonly used: number;
  readonly capacity: number;
  readonly unresolvable: boolean;
}

/** What the node lacks for the pod (empty: it fits). Upstream `fitsRequest`. */
export function fitsRequest(
  pod: PodInfo,
  node: NodeInfo,
  ignored: ReadonlySet<string> = new Set(),
): InsufficientResource[] {
  const out: InsufficientResource[] = [];
  const allowed = node.allocatable.allowedPodNumber;
  if (node.pods.length + 1 > allowed) {
    const used = node.pods.length;
    out.push({
      resourceName: "pods",
      reason: "Too many pods",
      requested: 1,
      used,
      capacity: allowed,
      unresolvable: false,
    });
  }
  const req = pod.requests;
  if (pod.requestsNothing) return out;
  const check = (resourceName: string, want: number) => {
    if (want <= 0) return;
    const capacity = amountOf(node.allocatable, resourceName);
    const used = amountOf(node.requested, resourceName);
    if (want <= capacity - used) return;
    const reason = `Insufficient ${resourceName}`;
    out.push({
      resourceName,
      reason,
      requested: want,
      used,
      capacity,
      unresolvable: want > capacity,
    });
  };
  check("cpu", req.milliCPU);
  check("memory", req.memory);
  check("ephemeral-storage", req.ephemeralStorage);
  for (const [resourceName, want] of req.scalar ?? []) {
    if (!ignored.has(resourceName)) check(resourceName, want);
  }
  return out;
}

const leastRequestedScore = (requested: number, capacity: number) =>
  capacity === 0 || requested > capacity
    ? 0
    : Math.trunc(((capacity - requested) * maxNodeScore) / capacity);

const mostRequestedScore = (requested: number, capacity: number) =>
  capacity === 0 ? 0 : Math.trunc((Math.min(requested, capacity) * maxNodeScore) / capacity);

export function newNodeResourcesFit(_handle?: Handle, args?: unknown): FilterPlugin & ScorePlugin {
  const a = (args ?? {}) as FitArgs;
  const ignored = new Set(a.ignoredResources ?? []);
  const resources = a.scoringStrategy?.resources ?? defaultResources;
  const scorer =
    a.scoringStrategy?.type === "MostAllocated" ? mostRequestedScore : leastRequestedScore;
  const requested = new Array<number>(resources.length).fill(0);
  const allocatable = new Array<number>(resources.length).fill(0);
  return {
    name,
    eventsToRegister: () => [
      { resource: "AssignedPod", action: "Delete" },
      { resource: "Node", action: "Add" },
      { resource: "Node", action: "UpdateNodeAllocatable" },
    ],
    filter(_state, pod, node): Status {
      const insufficient = fitsRequest(pod, node, ignored);
      if (insufficient.length === 0) return success;
      const code = insufficient.some((r) => r.unresolvable)
        ? "UnschedulableAndUnresolvable"
        : "Unschedulable";
      return { code, reasons: insufficient.map((r) => r.reason) };
    },
    score(_state, pod, node) {
      requestedAndAllocatable(pod, node, resources, false, requested, allocatable);
      let total = 0;
      let weights = 0;
      for (let i = 0; i < resources.length; i++) {
        const cap = allocatable[i] ?? 0;
        if (cap === 0) continue;
        const w = (resources[i] as ResourceSpec).weight;
        total += scorer(requested[i] ?? 0, cap) * w;
        weights += w;
      }
      return weights === 0 ? 0 : Math.trunc(total / weights);
    },
  };
}
