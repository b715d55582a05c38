/**
 * Topology spread constraints as the scheduler uses them (upstream `podtopologyspread/common.go`):
 * the label selector (with matchLabelKeys added), and which nodes count as domains (the node
 * inclusion policies: node affinity honoured by default, taints ignored by default).
 */
import type { TopologySpreadConstraint } from "../../../api/generated/types.ts";
import { requiredNodeAffinityMatches } from "../../../api/scheduling/node-affinity.ts";
import { doNotScheduleTaints, findUntoleratedTaint } from "../../../api/scheduling/taints.ts";
import {
  newRequirement,
  nothing,
  type Selector,
  selectorFromLabelSelector,
} from "../../../machinery/labels.ts";
import type { NodeInfo } from "../../framework/node-info.ts";
import type { PodInfo } from "../../framework/pod-info.ts";

export const hostnameLabel = "kubernetes.io/hostname";

export interface Constraint {
  readonly maxSkew: number;
  readonly topologyKey: string;
  readonly selector: Selector;
  readonly minDomains: number;
  readonly honorNodeAffinity: boolean;
  readonly honorTaints: boolean;
}

function toConstraint(pod: PodInfo, c: TopologySpreadConstraint): Constraint {
  let selector: Selector;
  try {
    selector = selectorFromLabelSelector(c.labelSelector);
    for (const key of c.matchLabelKeys ?? []) {
      const v = pod.labels[key];
      if (v !== undefined) selector = selector.add(newRequirement(key, "in", [v]));
    }
  } catch {
    selector = nothing();
  }
  return {
    maxSkew: c.maxSkew,
    topologyKey: c.topologyKey,
    selector,
    minDomains: c.minDomains ?? 1,
    honorNodeAffinity: (c.nodeAffinityPolicy ?? "Honor") === "Honor",
    honorTaints: c.nodeTaintsPolicy === "Honor",
  };
}

const cache = new WeakMap<PodInfo, Constraint[]>();

/** The pod's constraints with this whenUnsatisfiable. */
export function constraintsOf(
  pod: PodInfo,
  when: "DoNotSchedule" | "ScheduleAnyway",
): Constraint[] {
  const all = pod.pod.spec?.topologySpreadConstraints ?? [];
  if (all.length === 0) return [];
  let parsed = cache.get(pod);
  if (!parsed) {
    parsed = all.map((c) => toConstraint(pod, c));
    cache.set(pod, parsed);
  }
  return parsed.filter((_, i) => all[i]?.whenUnsatisfiable === when);
}

/** Does the node count as a domain for the pod's constraints (inclusion policies)? */
export function nodeIncluded(pod: PodInfo, node: NodeInfo, constraints: readonly Constraint[]) {
  if (
    constraints.some((c) => c.honorNodeAffinity) &&
    !requiredNodeAffinityMatches(pod.pod, node.node)
  ) {
    return false;
  }
  if (constraints.some((c) => c.honorTaints)) {
    const tolerations = pod.pod.spec?.tolerations ?? [];
    if (findUntoleratedTaint(node.taints, tolerations, doNotScheduleTaints)) return false;
  }
  return true;
}

export const nodeHasAllKeys = (node: NodeInfo, constraints: readonly Constraint[]): boolean =>
  constraints.every((c) => Object.hasOwn(node.labels, c.topologyKey));

/** Pods on the node in `namespace`, not terminating, that `selector` matches. */
export function countPodsMatchSelector(
  pods: readonly PodInfo[],
  selector: Selector,
  namespace: string,
): number {
  if (selector.matchesNothing()) return 0;
  let n = 0;
  for (const p of pods) {
    if (
      p.namespace === namespace &&
      !p.pod.metadata?.deletionTimestamp &&
      selector.matches(p.labels)
    )
      n++;
  }
  return n;
}
