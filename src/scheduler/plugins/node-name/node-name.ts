/** NodeName: a pod that names a node (spec.nodeName) fits only that node. */
import type { FilterPlugin, Handle } from "../../framework/interface.ts";
import { type Status, success, unresolvable } from "../../framework/status.ts";

export const name = "NodeName";
export const errReason = "node(s) didn't match the requested node name";

export function newNodeName(_handle?: Handle): FilterPlugin {
  return {
    name,
    eventsToRegister: () => [{ resource: "Node", action: "Add" }],
    filter(_state, pod, node): Status {
      const want = pod.pod.spec?.nodeName;
      return !want || want === node.name ? success : unresolvable(errReason);
    },
  };
}
