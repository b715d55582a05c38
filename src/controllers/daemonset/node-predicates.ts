/**
 * Whether a DaemonSet's pod belongs on a node (upstream `NodeShouldRunDaemonPod` and the
 * helpers it uses): the template's nodeName, nodeSelector and required node affinity must match
 * the node, and its tolerations (with the DaemonSet defaults added) must tolerate the node's
 * NoSchedule and NoExecute taints. `node.spec.unschedulable` is not consulted; its taint is
 * tolerated by default, as upstream.
 */
import type {
  DaemonSet,
  Node,
  NodeSelectorRequirement,
  NodeSelectorTerm,
  PodSpec,
  Taint,
  Toleration,
} from "../../api/generated/types.ts";
import { addOrUpdateDaemonPodTolerations } from "./daemon-set-util.ts";

/** `Toleration.ToleratesTaint`. */
export function toleratesTaint(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.key && t.key !== taint.key) return false;
  switch (t.operator ?? "") {
    case "":
    case "Equal":
      return (t.value ?? "") === (taint.value ?? "");
    case "Exists":
      return true;
    default:
      return false;
  }
}

/** `FindMatchingUntoleratedTaint`: the first taint passing `filter` that nothing tolerates. */
export function findUntoleratedTaint(
  taints: readonly Taint[],
  tolerations: readonly Toleration[],
  filter: (taint: Taint) => boolean,
): Taint | undefined {
  return taints.find(
    (taint) => filter(taint) && !tolerations.some((t) => toleratesTaint(t, taint)),
  );
}

function requirementMatches(req: NodeSelectorRequirement, value: string | undefined): boolean {
  const values = req.values ?? [];
  switch (req.operator) {
    case "In":
      return value !== undefined && values.includes(value);
    case "NotIn":
      return value === undefined || !values.includes(value);
    case "Exists":
      return value !== undefined;
    case "DoesNotExist":
      return value === undefined;
    case "Gt":
    case "Lt": {
      const [have, want] = [Number.parseInt(value ?? "", 10), Number.parseInt(values[0] ?? "", 10)];
      if (Number.isNaN(have) || Number.isNaN(want) || values.length !== 1) return false;
      return req.operator === "Gt" ? have > want : have < want;
    }
    default:
      return false;
  }
}

/** A term matches when all its expressions (labels) and fields (`metadata.name`) do; an empty term matches nothing. */
export function nodeSelectorTermMatches(term: NodeSelectorTerm, node: Node): boolean {
  const exprs = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  if (exprs.length === 0 && fields.length === 0) return false;
  const labels = node.metadata?.labels ?? {};
  const fieldValue = (key: string) => (key === "metadata.name" ? node.metadata?.name : undefined);
  return (
    exprs.every((r) =>
      requirementMatches(r, Object.hasOwn(labels, r.key) ? labels[r.key] : undefined),
    ) && fields.every((r) => r.key === "metadata.name" && requirementMatches(r, fieldValue(r.key)))
  );
}

/** `GetRequiredNodeAffinity(pod).Match(node)`: nodeSelector and any required affinity term. */
export function requiredNodeAffinityMatches(spec: PodSpec | undefined, node: Node): boolean {
  const labels = node.metadata?.labels ?? {};
  for (const [k, v] of Object.entries(spec?.nodeSelector ?? {})) if (labels[k] !== v) return false;
  const required = spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  if (!required) return true;
  return required.nodeSelectorTerms.some((term) => nodeSelectorTermMatches(term, node));
}

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
  if (!requiredNodeAffinityMatches(spec, node))
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
