/**
 * InterPodAffinity: required pod affinity and anti-affinity, of the incoming pod and of the
 * pods already running (Filter), and preferred terms' weights (Score).
 */
import type {
  FilterPlugin,
  Handle,
  PreFilterPlugin,
  PreScorePlugin,
  ScorePlugin,
} from "../../framework/interface.ts";
import { errorStatus, type Status, skip, success } from "../../framework/status.ts";
import { computePreFilterState, filterNode, PreFilterState } from "./filtering.ts";
import { computeTopologyScore, normalize, scoreNode, type TopologyScore } from "./scoring.ts";

export const name = "InterPodAffinity";
const preFilterKey = `PreFilter${name}`;
const preScoreKey = `PreScore${name}`;

export function newInterPodAffinity(
  handle: Handle,
): PreFilterPlugin & FilterPlugin & PreScorePlugin & ScorePlugin {
  const read = (state: { read<T>(k: string): T | undefined }) =>
    state.read<PreFilterState>(preFilterKey);
  return {
    name,
    eventsToRegister: () => [
      { resource: "AssignedPod", action: "All" },
      { resource: "Node", action: "Add" },
      { resource: "Node", action: "UpdateNodeLabel" },
      { resource: "Namespace", action: "All" },
    ],
    preFilter(state, pod) {
      const s = computePreFilterState(handle, pod);
      if (!s) return { status: skip };
      state.write(preFilterKey, s);
      return { status: success };
    },
    preFilterExtensions: {
      addPod(state, _pod, toAdd, node): Status {
        read(state)?.updateWithPod(toAdd, node, 1);
        return success;
      },
      removePod(state, _pod, toRemove, node): Status {
        read(state)?.updateWithPod(toRemove, node, -1);
        return success;
      },
    },
    filter(state, _pod, node): Status {
      const s = read(state);
      if (!(s instanceof PreFilterState))
        return errorStatus(new Error(`${preFilterKey} not found`));
      return filterNode(s, node);
    },
    preScore(state, pod): Status {
      const score = computeTopologyScore(handle, pod);
      if (!score) return skip;
      state.write(preScoreKey, score);
      return success;
    },
    score(state, _pod, node) {
      const score = state.read<TopologyScore>(preScoreKey);
      return score ? scoreNode(score, node) : 0;
    },
    normalizeScore(_state, _pod, scores) {
      normalize(scores);
      return success;
    },
  };
}
