/**
 * NodeAffinity: spec.nodeSelector and requiredDuringScheduling node affinity must match (Filter;
 * terms pinning metadata.name narrow the nodes in PreFilter, as for DaemonSet pods); the
 * weights of matching preferredDuringScheduling terms add up (Score).
 */
import type { PreferredSchedulingTerm } from "../../../api/generated/types.ts";
import { requiredNodeAffinityMatches, termMatches } from "../../../api/scheduling/node-affinity.ts";
import type {
  FilterPlugin,
  Handle,
  PreFilterPlugin,
  PreFilterResult,
  PreScorePlugin,
  ScorePlugin,
} from "../../framework/interface.ts";
import { maxNodeScore } from "../../framework/interface.ts";
import type { PodInfo } from "../../framework/pod-info.ts";
import { type Status, skip, success, unresolvable } from "../../framework/status.ts";
import { defaultNormalizeScore } from "../helper/normalize-score.ts";

export const name = "NodeAffinity";
export const errReasonPod = "node(s) didn't match Pod's node affinity/selector";
export const errReasonConflict = "pod affinity terms conflict";
const preScoreKey = `PreScore${name}`;

/** Node names every required term pins with `metadata.name In`, if all of them do. */
function pinnedNodeNames(pod: PodInfo): Set<string> | undefined {
  const terms =
    pod.pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution
      ?.nodeSelectorTerms ?? [];
  if (terms.length === 0) return undefined;
  const union = new Set<string>();
  for (const t of terms) {
    let names: Set<string> | undefined;
    for (const r of t.matchFields ?? []) {
      if (r.key !== "metadata.name" || r.operator !== "In") continue;
      const s = new Set(r.values ?? []);
      names = names ? new Set([...names].filter((n) => s.has(n))) : s;
    }
    if (!names) return undefined;
    for (const n of names) union.add(n);
  }
  return union;
}

export function newNodeAffinity(
  _handle?: Handle,
): PreFilterPlugin & FilterPlugin & PreScorePlugin & ScorePlugin {
  return {
    name,
    eventsToRegister: () => [
      { resource: "Node", action: "Add" },
      { resource: "Node", action: "UpdateNodeLabel" },
    ],
    preFilter(_state, pod): PreFilterResult {
      const spec = pod.pod.spec;
      const required = spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
      if (!required && !spec?.nodeSelector) return { status: skip };
      const names = pinnedNodeNames(pod);
      if (names?.size === 0) return { status: unresolvable(errReasonConflict) };
      return names ? { status: success, nodeNames: names } : { status: success };
    },
    filter(_state, pod, node): Status {
      return requiredNodeAffinityMatches(pod.pod, node.node) ? success : unresolvable(errReasonPod);
    },
    preScore(state, pod): Status {
      const preferred =
        pod.pod.spec?.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? [];
      if (preferred.length === 0) return skip;
      state.write(preScoreKey, preferred);
      return success;
    },
    score(state, _pod, node) {
      let total = 0;
      for (const t of state.read<PreferredSchedulingTerm[]>(preScoreKey) ?? []) {
        if (t.weight !== 0 && termMatches(t.preference, node.labels, node.name)) total += t.weight;
      }
      return total;
    },
    normalizeScore(_state, _pod, scores) {
      return defaultNormalizeScore(maxNodeScore, false, scores);
    },
  };
}
