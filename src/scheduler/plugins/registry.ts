/**
 * The in-tree plugins by name and the default profile (upstream `plugins/registry.go` and the
 * default `multiPoint` plugin set with its score weights). Order matters: Filter stops at the
 * first plugin that turns a node down, and its reason is the one users see.
 */
import type { Profile, Registry } from "../framework/registry.ts";
import { newDefaultBinder } from "./default-binder/default-binder.ts";
import { newDefaultPreemption } from "./default-preemption/default-preemption.ts";
import { newInterPodAffinity } from "./inter-pod-affinity/inter-pod-affinity.ts";
import { newNodeAffinity } from "./node-affinity/node-affinity.ts";
import { newNodeName } from "./node-name/node-name.ts";
import { newNodePorts } from "./node-ports/node-ports.ts";
import { newBalancedAllocation } from "./node-resources/balanced-allocation.ts";
import { newNodeResourcesFit } from "./node-resources/fit.ts";
import { newNodeUnschedulable } from "./node-unschedulable/node-unschedulable.ts";
import { newPodTopologySpread } from "./pod-topology-spread/pod-topology-spread.ts";
import { newTaintToleration } from "./taint-toleration/taint-toleration.ts";
import { newVolumeBinding } from "./volume-binding/volume-binding.ts";

export const inTreeRegistry: Registry = {
  NodeUnschedulable: (h) => newNodeUnschedulable(h),
  NodeName: (h) => newNodeName(h),
  TaintToleration: (h) => newTaintToleration(h),
  NodeAffinity: (h) => newNodeAffinity(h),
  NodePorts: (h) => newNodePorts(h),
  NodeResourcesFit: (h, args) => newNodeResourcesFit(h, args),
  VolumeBinding: (h) => newVolumeBinding(h),
  PodTopologySpread: (h) => newPodTopologySpread(h),
  InterPodAffinity: (h) => newInterPodAffinity(h),
  DefaultPreemption: (h, args) => newDefaultPreemption(h, args),
  NodeResourcesBalancedAllocation: (h, args) => newBalancedAllocation(h, args),
  DefaultBinder: (h) => newDefaultBinder(h),
};

export const defaultSchedulerName = "default-scheduler";

/** Upstream's default plugins, in order, with their default score weights. */
export function defaultProfile(schedulerName = defaultSchedulerName): Profile {
  return {
    schedulerName,
    plugins: [
      { name: "NodeUnschedulable" },
      { name: "NodeName" },
      { name: "TaintToleration", weight: 3 },
      { name: "NodeAffinity", weight: 2 },
      { name: "NodePorts" },
      { name: "NodeResourcesFit", weight: 1 },
      { name: "VolumeBinding" },
      { name: "PodTopologySpread", weight: 2 },
      { name: "InterPodAffinity", weight: 2 },
      { name: "DefaultPreemption" },
      { name: "NodeResourcesBalancedAllocation", weight: 1 },
      { name: "DefaultBinder" },
    ],
  };
}
