/**
 * NodeResourcesBalancedAllocation: favours nodes whose cpu and memory would be used in equal
 * proportion with the pod on them: score = (1 − standard deviation of the fractions) × 100.
 * Pods requesting nothing are skipped, as upstream, so they do not all pile onto one node.
 */
import type { Handle, PreScorePlugin, ScorePlugin } from "../../framework/interface.ts";
import { maxNodeScore } from "../../framework/interface.ts";
import { skip, success } from "../../framework/status.ts";
import {
  amountOf,
  defaultResources,
  type ResourceSpec,
  requestedAndAllocatable,
} from "./resource-allocation.ts";

export const name = "NodeResourcesBalancedAllocation";

export function balancedScore(requested: readonly number[], allocatable: readonly number[]) {
  const fractions: number[] = [];
  let sum = 0;
  for (let i = 0; i < requested.length; i++) {
    const cap = allocatable[i] ?? 0;
    if (cap === 0) continue;
    const f = Math.min((requested[i] ?? 0) / cap, 1);
    sum += f;
    fractions.push(f);
  }
  let std = 0;
  if (fractions.length === 2) {
    std = Math.abs(((fractions[0] ?? 0) - (fractions[1] ?? 0)) / 2);
  } else if (fractions.length > 2) {
    const mean = sum / fractions.length;
    std = Math.sqrt(fractions.reduce((acc, f) => acc + (f - mean) ** 2, 0) / fractions.length);
  }
  return Math.trunc((1 - std) * maxNodeScore);
}

export function newBalancedAllocation(
  _handle?: Handle,
  args?: unknown,
): PreScorePlugin & ScorePlugin {
  const resources =
    (args as { resources?: readonly ResourceSpec[] } | undefined)?.resources ?? defaultResources;
  const requested = new Array<number>(resources.length).fill(0);
  const allocatable = new Array<number>(resources.length).fill(0);
  return {
    name,
    eventsToRegister: () => [
      { resource: "AssignedPod", action: "Delete" },
      { resource: "Node", action: "Add" },
    ],
    preScore(_state, pod) {
      const bestEffort = resources.every((r) => amountOf(pod.requests, r.name) === 0);
      return bestEffort ? skip : success;
    },
    score(_state, pod, node) {
      requestedAndAllocatable(pod, node, resources, true, requested, allocatable);
      return balancedScore(requested, allocatable);
    },
  };
}
