/**
 * Whether a DaemonSet's pod belongs on a node (upstream `NodeShouldRunDaemonPod` and the
 * helpers it uses): the template's nodeName, nodeSelector and required node affinity must match
 * the node, and its tolerations (with the DaemonSet defaults added) must tolerate the node's
 * NoSchedule and NoExecute taints. `node.spec.unschedulable` is not consulted; its taint is
 * tolerated by default, as upstream.
 */
import type { DaemonSet, Node } from "../../api/generated/types.ts";
import { requiredNodeAffinityMatches } from "../../api/scheduling/node-affinity.ts";
import { findUntoleratedTaint } from "../../api/scheduling/taints.ts";
import { addOrUpdateDaemonPodTolerations } from "./daemon-set-util.ts";

export interface NodeFit {
  /** A daemon pod should be created on the node. */
  readonly shouldRun: boolean;
  /** A daemon pod already there may stay (it tolerates the node's NoExecute taints). */
  readonly shouldContinueRunning: boolean;
}

/** `NodeShouldRunDaemonPod`. */
export function nodeShouldRunDaemonPod(node: Node, ds: DaemonSet): NodeFit {
  const spec = structuredClone(ds.spec?.template.spec ?? { containers: [] });
  const name = node.metadata?.name ?? "";
  if (spec.nodeName && spec.nodeName !== name)
    return { shouldRun: false, shouldContinueRunning: false };
  addOrUpdateDaemonPodTolerations(spec);
  if (!requiredNodeAffinityMatches({ spec }, node))
    return { shouldRun: false, shouldContinueRunning: false };
  const taints = node.spec?.taints ?? [];
  const tolerations = spec.tolerations ?? [];
  const blocking = findUntoleratedTaint(
    taints,
    tolerations,
    (t) => t.effect === "NoSchedule" || t.effect === "NoExecute",
  );
  if (!blocking) return { shouldRun: true, shouldContinueRunning: true };
  const evicting = findUntoleratedTaint(taints, tolerations, (t) => t.effect === "NoExecute");
  return { shouldRun: false, shouldContinueRunning: evicting === undefined };
}
