/**
 * InterPodAffinity's PreFilter and Filter (upstream `interpodaffinity/filtering.go`): counts per
 * topology pair of (1) existing pods whose required anti-affinity matches the incoming pod,
 * (2) existing pods matching all of the incoming pod's required affinity terms, (3) existing
 * pods matching its required anti-affinity terms; then checks each node's pairs.
 */
import type { StateData } from "../../framework/cycle-state.ts";
import type { Handle } from "../../framework/interface.ts";
import type { NodeInfo } from "../../framework/node-info.ts";
import type { AffinityTerm, PodInfo } from "../../framework/pod-info.ts";
import { type Status, success, unresolvable, unschedulable } from "../../framework/status.ts";
import {
  type Labels,
  mergeTermNamespaces,
  namespaceLabels,
  podMatchesAllTerms,
  TopologyCounts,
  updateWithAffinityTerms,
  updateWithAntiAffinityTerms,
} from "./terms.ts";

export const errReasonExistingAntiAffinityRulesNotMatch =
  "node(s) didn't satisfy existing pods anti-affinity rules";
export const errReasonAffinityRulesNotMatch = "node(s) didn't match pod affinity rules";
export const errReasonAntiAffinityRulesNotMatch = "node(s) didn't match pod anti-affinity rules";

export class PreFilterState implements StateData {
  existingAntiAffinityCounts = new TopologyCounts();
  affinityCounts = new TopologyCounts();
  antiAffinityCounts = new TopologyCounts();
  readonly pod: PodInfo;
  readonly affinityTerms: readonly AffinityTerm[];
  readonly antiAffinityTerms: readonly AffinityTerm[];
  readonly nsLabels: Labels;

  constructor(
    pod: PodInfo,
    affinityTerms: readonly AffinityTerm[],
    antiAffinityTerms: readonly AffinityTerm[],
    nsLabels: Labels,
  ) {
    this.pod = pod;
    this.affinityTerms = affinityTerms;
    this.antiAffinityTerms = antiAffinityTerms;
    this.nsLabels = nsLabels;
  }

  clone(): PreFilterState {
    const c = new PreFilterState(
      this.pod,
      this.affinityTerms,
      this.antiAffinityTerms,
      this.nsLabels,
    );
    c.existingAntiAffinityCounts = this.existingAntiAffinityCounts.copy();
    c.affinityCounts = this.affinityCounts.copy();
    c.antiAffinityCounts = this.antiAffinityCounts.copy();
    return c;
  }

  /** Counts `existing` on `node` in (by 1) or out (by −1). */
  updateWithPod(existing: PodInfo, node: NodeInfo, by: number): void {
    updateWithAntiAffinityTerms(
      this.existingAntiAffinityCounts,
      existing.requiredAntiAffinityTerms,
      this.pod,
      this.nsLabels,
      node.labels,
      by,
    );
    updateWithAffinityTerms(this.affinityCounts, this.affinityTerms, existing, node.labels, by);
    updateWithAntiAffinityTerms(
      this.antiAffinityCounts,
      this.antiAffinityTerms,
      existing,
      undefined,
      node.labels,
      by,
    );
  }
}

/** Builds the state, or undefined when the plugin has nothing to check for this pod (Skip). */
export function computePreFilterState(handle: Handle, pod: PodInfo): PreFilterState | undefined {
  const nsLister = handle.listers.namespaces;
  const s = new PreFilterState(
    pod,
    mergeTermNamespaces(pod.requiredAffinityTerms, nsLister),
    mergeTermNamespaces(pod.requiredAntiAffinityTerms, nsLister),
    namespaceLabels(nsLister, pod.namespace),
  );
  for (const node of handle.snapshot.havePodsWithRequiredAntiAffinityList()) {
    for (const existing of node.podsWithRequiredAntiAffinity) {
      updateWithAntiAffinityTerms(
        s.existingAntiAffinityCounts,
        existing.requiredAntiAffinityTerms,
        pod,
        s.nsLabels,
        node.labels,
        1,
      );
    }
  }
  if (s.affinityTerms.length === 0 && s.antiAffinityTerms.length === 0) {
    return s.existingAntiAffinityCounts.size === 0 ? undefined : s;
  }
  for (const node of handle.snapshot.nodeInfos()) {
    for (const existing of node.pods) {
      updateWithAffinityTerms(s.affinityCounts, s.affinityTerms, existing, node.labels, 1);
      updateWithAntiAffinityTerms(
        s.antiAffinityCounts,
        s.antiAffinityTerms,
        existing,
        undefined,
        node.labels,
        1,
      );
    }
  }
  return s;
}

function satisfyPodAffinity(s: PreFilterState, node: NodeInfo): boolean {
  let podsExist = true;
  for (const t of s.affinityTerms) {
    if (!Object.hasOwn(node.labels, t.topologyKey)) return false;
    if (s.affinityCounts.count(node.labels, t.topologyKey) <= 0) podsExist = false;
  }
  if (podsExist) return true;
  // The first pod of a group with affinity to itself: allowed if no pod matches yet.
  return s.affinityCounts.size === 0 && podMatchesAllTerms(s.affinityTerms, s.pod);
}

function satisfyPodAntiAffinity(s: PreFilterState, node: NodeInfo): boolean {
  for (const t of s.antiAffinityTerms) {
    if (s.antiAffinityCounts.count(node.labels, t.topologyKey) > 0) return false;
  }
  return true;
}

function satisfyExistingPodsAntiAffinity(s: PreFilterState, node: NodeInfo): boolean {
  if (s.existingAntiAffinityCounts.size === 0) return true;
  for (const key of Object.keys(node.labels)) {
    if (s.existingAntiAffinityCounts.count(node.labels, key) > 0) return false;
  }
  return true;
}

export function filterNode(s: PreFilterState, node: NodeInfo): Status {
  if (!satisfyPodAffinity(s, node)) return unresolvable(errReasonAffinityRulesNotMatch);
  if (!satisfyPodAntiAffinity(s, node)) return unschedulable(errReasonAntiAffinityRulesNotMatch);
  if (!satisfyExistingPodsAntiAffinity(s, node)) {
    return unschedulable(errReasonExistingAntiAffinityRulesNotMatch);
  }
  return success;
}
