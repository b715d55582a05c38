/**
 * NodeUnschedulable: cordoned nodes (spec.unschedulable) take only pods that tolerate the
 * `node.kubernetes.io/unschedulable:NoSchedule` taint.
 */
import type { Taint } from "../../../api/generated/types.ts";
import { tolerationsTolerateTaint } from "../../../api/scheduling/taints.ts";
import type { FilterPlugin, Handle } from "../../framework/interface.ts";
import { type Status, success, unresolvable } from "../../framework/status.ts";

export const name = "NodeUnschedulable";
export const errReasonUnschedulable = "node(s) were unschedulable";

const unschedulableTaint: Taint = { key: "node.kubernetes.io/unschedulable", effect: "NoSchedule" };

export function newNodeUnschedulable(_handle?: Handle): FilterPlugin {
  return {
    name,
    eventsToRegister: () => [
      { resource: "Node", action: "Add" },
      { resource: "Node", action: "UpdateNodeTaint" },
    ],
    filter(_state, pod, node): Status {
      if (!node.node?.spec?.unschedulable) return success;
      const tolerations = pod.pod.spec?.tolerations ?? [];
      return tolerationsTolerateTaint(tolerations, unschedulableTaint)
        ? success
        : unresolvable(errReasonUnschedulable);
    },
  };
}
