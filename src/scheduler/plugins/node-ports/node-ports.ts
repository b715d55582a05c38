/** NodePorts: the pod's host ports must be free on the node (same protocol, overlapping IP). */
import type { FilterPlugin, Handle, PreFilterPlugin } from "../../framework/interface.ts";
import { type Status, skip, success, unschedulable } from "../../framework/status.ts";

export const name = "NodePorts";
export const errReason = "node(s) didn't have free ports for the requested pod ports";

export function newNodePorts(_handle?: Handle): PreFilterPlugin & FilterPlugin {
  return {
    name,
    eventsToRegister: () => [
      { resource: "AssignedPod", action: "Delete" },
      { resource: "Node", action: "Add" },
    ],
    preFilter(_state, pod) {
      return { status: pod.hostPorts.length === 0 ? skip : success };
    },
    filter(_state, pod, node): Status {
      for (const hp of pod.hostPorts) {
        if (node.portConflicts(hp)) return unschedulable(errReason);
      }
      return success;
    },
  };
}
