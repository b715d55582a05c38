/**
 * TaintToleration: a node's NoSchedule/NoExecute taints must all be tolerated (Filter); nodes
 * with fewer untolerated PreferNoSchedule taints score higher (Score, reversed when normalized).
 */
import type { Toleration } from "../../../api/generated/types.ts";
import {
  doNotScheduleTaints,
  findUntoleratedTaint,
  tolerationsTolerateTaint,
} from "../../../api/scheduling/taints.ts";
import type { CycleState } from "../../framework/cycle-state.ts";
import type {
  FilterPlugin,
  Handle,
  PreScorePlugin,
  ScorePlugin,
} from "../../framework/interface.ts";
import { maxNodeScore } from "../../framework/interface.ts";
import { type Status, success, unresolvable } from "../../framework/status.ts";
import { defaultNormalizeScore } from "../helper/normalize-score.ts";

export const name = "TaintToleration";
const preScoreKey = `PreScore${name}`;

export function newTaintToleration(_handle?: Handle): FilterPlugin & PreScorePlugin & ScorePlugin {
  return {
    name,
    eventsToRegister: () => [
      { resource: "Node", action: "Add" },
      { resource: "Node", action: "UpdateNodeTaint" },
    ],
    filter(_state, pod, node): Status {
      const taint = findUntoleratedTaint(
        node.taints,
        pod.pod.spec?.tolerations ?? [],
        doNotScheduleTaints,
      );
      if (!taint) return success;
      return unresolvable(`node(s) had untolerated taint {${taint.key}: ${taint.value ?? ""}}`);
    },
    preScore(state: CycleState, pod): Status {
      const tolerations = (pod.pod.spec?.tolerations ?? []).filter(
        (t) => !t.effect || t.effect === "PreferNoSchedule",
      );
      state.write(preScoreKey, tolerations);
      return success;
    },
    score(state, pod, node) {
      const tolerations = state.read<Toleration[]>(preScoreKey) ?? pod.pod.spec?.tolerations ?? [];
      let count = 0;
      for (const taint of node.taints) {
        if (taint.effect === "PreferNoSchedule" && !tolerationsTolerateTaint(tolerations, taint)) {
          count++;
        }
      }
      return count;
    },
    normalizeScore(_state, _pod, scores) {
      return defaultNormalizeScore(maxNodeScore, true, scores);
    },
  };
}
