/**
 * The scheduling algorithm for one pod (upstream `schedulePod`): PreFilter, Filter over the
 * nodes (a sample of them in large clusters, as `percentageOfNodesToScore`), PreScore, Score,
 * NormalizeScore and weights, then the highest total with ties broken at random. Synchronous:
 * it reads the cache as the cycle's snapshot.
 */
import type { CycleState } from "./framework/cycle-state.ts";
import type { Framework } from "./framework/framework.ts";
import type { NodeInfo } from "./framework/node-info.ts";
import { type Diagnosis, newDiagnosis } from "./framework/node-to-status.ts";
import type { PodInfo } from "./framework/pod-info.ts";
import { isRejected, type Status, statusMessage, unresolvable } from "./framework/status.ts";

/** Below this many nodes every node is checked; above, at least this many feasible ones. */
export const minFeasibleNodesToFind = 100;
export const minFeasibleNodesPercentageToFind = 5;

export const errNoNodesAvailable = "no nodes available to schedule pods";

export type ScheduleResult =
  | { readonly kind: "scheduled"; readonly host: string; readonly evaluatedNodes: number }
  | { readonly kind: "unfit"; readonly numAllNodes: number; readonly diagnosis: Diagnosis }
  | { readonly kind: "error"; readonly status: Status };

export interface Sampler {
  /** Where the next search starts, so every node gets its turn across pods. */
  nextStartNodeIndex: number;
  readonly random: () => number;
}

/** How many feasible nodes to find before stopping (upstream `numFeasibleNodesToFind`). */
export function numFeasibleNodesToFind(percentageOfNodesToScore: number, numAllNodes: number) {
  if (numAllNodes < minFeasibleNodesToFind) return numAllNodes;
  let percentage = percentageOfNodesToScore;
  if (percentage === 0) {
    percentage = Math.max(50 - Math.trunc(numAllNodes / 125), minFeasibleNodesPercentageToFind);
  }
  const n = Math.trunc((numAllNodes * percentage) / 100);
  return Math.max(n, minFeasibleNodesToFind);
}

export function schedulePod(
  fwk: Framework,
  state: CycleState,
  pod: PodInfo,
  sampler: Sampler,
): ScheduleResult {
  const allNodes = fwk.snapshot.nodeInfos();
  if (allNodes.length === 0) return { kind: "error", status: unresolvable(errNoNodesAvailable) };
  const diagnosis = newDiagnosis();
  const found = findNodesThatFitPod(fwk, state, pod, allNodes, diagnosis, sampler);
  if (!Array.isArray(found)) return { kind: "error", status: found };
  if (found.length === 0) return { kind: "unfit", numAllNodes: allNodes.length, diagnosis };
  const evaluatedNodes = found.length + diagnosis.nodeToStatus.size;
  if (found.length === 1) {
    return { kind: "scheduled", host: (found[0] as NodeInfo).name, evaluatedNodes };
  }
  const totals = prioritizeNodes(fwk, state, pod, found);
  if (!Array.isArray(totals)) return { kind: "error", status: totals };
  return { kind: "scheduled", host: selectHost(found, totals, sampler.random), evaluatedNodes };
}

function findNodesThatFitPod(
  fwk: Framework,
  state: CycleState,
  pod: PodInfo,
  allNodes: readonly NodeInfo[],
  diagnosis: Diagnosis,
  sampler: Sampler,
): NodeInfo[] | Status {
  const pre = fwk.runPreFilterPlugins(state, pod, allNodes);
  if (pre.status.code !== "Success") {
    if (!isRejected(pre.status)) return pre.status;
    diagnosis.nodeToStatus.absent = pre.status;
    diagnosis.preFilterMsg = statusMessage(pre.status);
    if (pre.status.plugin) diagnosis.unschedulablePlugins.add(pre.status.plugin);
    return [];
  }
  // A node nominated by an earlier preemption is likely the only fit: try it first.
  const nominated = pod.pod.status?.nominatedNodeName;
  const nominatedNode = nominated ? fwk.snapshot.get(nominated) : undefined;
  if (nominatedNode) {
    const s = fwk.runFilterPluginsWithNominatedPods(state, pod, nominatedNode);
    if (s.code === "Success") return [nominatedNode];
  }
  let nodes = allNodes;
  if (pre.nodeNames) {
    nodes = [...pre.nodeNames].flatMap((n) => fwk.snapshot.get(n) ?? []);
    diagnosis.nodeToStatus.absent = unresolvable(
      `node(s) didn't satisfy plugin(s) [${[...(pre.narrowedBy ?? [])].sort().join(" ")}]`,
    );
  }
  return findNodesThatPassFilters(fwk, state, pod, nodes, diagnosis, sampler, allNodes.length);
}

function findNodesThatPassFilters(
  fwk: Framework,
  state: CycleState,
  pod: PodInfo,
  nodes: readonly NodeInfo[],
  diagnosis: Diagnosis,
  sampler: Sampler,
  numAllNodes: number,
): NodeInfo[] | Status {
  const n = nodes.length;
  if (n === 0) return [];
  let toFind = numFeasibleNodesToFind(fwk.percentageOfNodesToScore, n);
  if (fwk.scorePlugins.length === 0) toFind = 1;
  const feasible: NodeInfo[] = [];
  const start = sampler.nextStartNodeIndex % n;
  let processed = 0;
  for (let i = 0; i < n && feasible.length < toFind; i++) {
    const node = nodes[(start + i) % n] as NodeInfo;
    processed++;
    const s = fwk.runFilterPluginsWithNominatedPods(state, pod, node);
    if (s.code === "Success") {
      feasible.push(node);
    } else if (s.code === "Error") {
      return s;
    } else {
      diagnosis.nodeToStatus.set(node.name, s);
      if (s.plugin) diagnosis.unschedulablePlugins.add(s.plugin);
    }
  }
  sampler.nextStartNodeIndex = (sampler.nextStartNodeIndex + processed) % numAllNodes;
  return feasible;
}

function prioritizeNodes(
  fwk: Framework,
  state: CycleState,
  pod: PodInfo,
  nodes: readonly NodeInfo[],
): number[] | Status {
  if (fwk.scorePlugins.length === 0) return nodes.map(() => 1);
  const pre = fwk.runPreScorePlugins(state, pod, nodes);
  if (pre.code !== "Success") return pre;
  return fwk.runScorePlugins(state, pod, nodes);
}

/** The node with the highest total; among equals, each has the same chance (reservoir). */
export function selectHost(
  nodes: readonly NodeInfo[],
  totals: readonly number[],
  random: () => number,
): string {
  let best = -Infinity;
  let selected = "";
  let ties = 0;
  for (let i = 0; i < nodes.length; i++) {
    const score = totals[i] ?? 0;
    if (score > best) {
      best = score;
      selected = (nodes[i] as NodeInfo).name;
      ties = 1;
    } else if (score === best) {
      ties++;
      if (Math.floor(random() * ties) === 0) selected = (nodes[i] as NodeInfo).name;
    }
  }
  return selected;
}
