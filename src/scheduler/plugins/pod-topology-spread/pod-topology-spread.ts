/**
 * PodTopologySpread: spreads matching pods across topology domains — DoNotSchedule constraints
 * filter, ScheduleAnyway constraints score. Cluster-level default constraints (upstream's
 * "system defaults" for pods owned by Services and ReplicaSets) are not applied.
 */
import type {
  FilterPlugin,
  Handle,
  PreFilterPlugin,
  PreScorePlugin,
  ScorePlugin,
} from "../../framework/interface.ts";
import { errorStatus, type Status, skip, success } from "../../framework/status.ts";
import { constraintsOf } from "./common.ts";
import { computeFilterState, filterNode, SpreadFilterState } from "./filtering.ts";
import { computeScoreState, normalizeScores, type SpreadScoreState, scoreNode } from "./scoring.ts";

export const name = "PodTopologySpread";
const preFilterKey = `PreFilter${name}`;
const preScoreKey = `PreScore${name}`;

export function newPodTopologySpread(
  handle: Handle,
): PreFilterPlugin & FilterPlugin & PreScorePlugin & ScorePlugin {
  return {
    name,
    eventsToRegister: () => [
      { resource: "AssignedPod", action: "All" },
      { resource: "Node", action: "Add" },
      { resource: "Node", action: "UpdateNodeLabel" },
      { resource: "Node", action: "UpdateNodeTaint" },
      { resource: "Node", action: "Delete" },
    ],
    preFilter(state, pod) {
      const constraints = constraintsOf(pod, "DoNotSchedule");
      if (constraints.length === 0) return { status: skip };
      state.write(preFilterKey, computeFilterState(pod, constraints, handle.snapshot.nodeInfos()));
      return { status: success };
    },
    preFilterExtensions: {
      addPod(state, pod, toAdd, node): Status {
        state.read<SpreadFilterState>(preFilterKey)?.update(pod, toAdd, node, 1);
        return success;
      },
      removePod(state, pod, toRemove, node): Status {
        state.read<SpreadFilterState>(preFilterKey)?.update(pod, toRemove, node, -1);
        return success;
      },
    },
    filter(state, pod, node): Status {
      const s = state.read<SpreadFilterState>(preFilterKey);
      if (!(s instanceof SpreadFilterState))
        return errorStatus(new Error(`${preFilterKey} not found`));
      return filterNode(s, pod, node);
    },
    preScore(state, pod, nodes): Status {
      const constraints = constraintsOf(pod, "ScheduleAnyway");
      if (constraints.length === 0) return skip;
      state.write(
        preScoreKey,
        computeScoreState(pod, constraints, nodes, handle.snapshot.nodeInfos()),
      );
      return success;
    },
    score(state, pod, node) {
      const s = state.read<SpreadScoreState>(preScoreKey);
      return s ? scoreNode(s, pod, node) : 0;
    },
    normalizeScore(state, _pod, scores) {
      const s = state.read<SpreadScoreState>(preScoreKey);
      if (s) normalizeScores(s, scores);
      return success;
    },
  };
}
