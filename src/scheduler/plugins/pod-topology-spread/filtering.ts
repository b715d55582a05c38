/**
 * PodTopologySpread's Filter for DoNotSchedule constraints (upstream `filtering.go`): matching
 * pods are counted per domain; placing the pod in a domain must keep
 * count + self-match − global minimum ≤ maxSkew (the minimum is 0 while fewer than minDomains
 * domains exist).
 */
import type { StateData } from "../../framework/cycle-state.ts";
import type { NodeInfo } from "../../framework/node-info.ts";
import type { PodInfo } from "../../framework/pod-info.ts";
import { type Status, success, unresolvable, unschedulable } from "../../framework/status.ts";
import { type Constraint, countPodsMatchSelector, nodeHasAllKeys, nodeIncluded } from "./common.ts";

export const errReasonConstraintsNotMatch = "node(s) didn't match pod topology spread constraints";
export const errReasonNodeLabelNotMatch = `${errReasonConstraintsNotMatch} (missing required label)`;

export class SpreadFilterState implements StateData {
  readonly constraints: readonly Constraint[];
  /** Per constraint: domain value → matching pods. */
  readonly counts: Map<string, number>[];
  #min: (number | undefined)[];

  constructor(constraints: readonly Constraint[], counts: Map<string, number>[]) {
    this.constraints = constraints;
    this.counts = counts;
    this.#min = constraints.map(() => undefined);
  }

  clone(): SpreadFilterState {
    return new SpreadFilterState(
      this.constraints,
      this.counts.map((m) => new Map(m)),
    );
  }

  minMatch(i: number): number {
    const c = this.constraints[i] as Constraint;
    const counts = this.counts[i] as Map<string, number>;
    if (counts.size < c.minDomains) return 0;
    let min = this.#min[i];
    if (min === undefined) {
      min = counts.size === 0 ? 0 : Math.min(...counts.values());
      this.#min[i] = min;
    }
    return min;
  }

  update(pod: PodInfo, existing: PodInfo, node: NodeInfo, by: number): void {
    if (!nodeHasAllKeys(node, this.constraints) || !nodeIncluded(pod, node, this.constraints))
      return;
    if (existing.namespace !== pod.namespace) return;
    this.constraints.forEach((c, i) => {
      if (!c.selector.matches(existing.labels)) return;
      const counts = this.counts[i] as Map<string, number>;
      const value = node.labels[c.topologyKey] ?? "";
      counts.set(value, (counts.get(value) ?? 0) + by);
      this.#min[i] = undefined;
    });
  }
}

export function computeFilterState(
  pod: PodInfo,
  constraints: readonly Constraint[],
  nodes: readonly NodeInfo[],
): SpreadFilterState {
  const counts = constraints.map(() => new Map<string, number>());
  for (const node of nodes) {
    if (!nodeHasAllKeys(node, constraints) || !nodeIncluded(pod, node, constraints)) continue;
    constraints.forEach((c, i) => {
      const m = counts[i] as Map<string, number>;
      const value = node.labels[c.topologyKey] ?? "";
      m.set(
        value,
        (m.get(value) ?? 0) + countPodsMatchSelector(node.pods, c.selector, pod.namespace),
      );
    });
  }
  return new SpreadFilterState(constraints, counts);
}

export function filterNode(s: SpreadFilterState, pod: PodInfo, node: NodeInfo): Status {
  for (let i = 0; i < s.constraints.length; i++) {
    const c = s.constraints[i] as Constraint;
    if (!Object.hasOwn(node.labels, c.topologyKey)) return unresolvable(errReasonNodeLabelNotMatch);
    const self = c.selector.matches(pod.labels) ? 1 : 0;
    const matchNum = s.counts[i]?.get(node.labels[c.topologyKey] ?? "") ?? 0;
    if (matchNum + self - s.minMatch(i) > c.maxSkew)
      return unschedulable(errReasonConstraintsNotMatch);
  }
  return success;
}
