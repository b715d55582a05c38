/**
 * Choosing victims on one node (upstream `DefaultPreemption.SelectVictimsOnNode`): remove every
 * lower-priority pod, check the preemptor fits, then give pods back from the most important
 * down — first those whose PodDisruptionBudget would be violated, then the rest — keeping each
 * one that still lets the preemptor fit. What cannot be given back are the victims.
 */
import type { PodDisruptionBudget } from "../../../api/generated/types.ts";
import { selectorFromLabelSelector } from "../../../machinery/labels.ts";
import type { CycleState } from "../../framework/cycle-state.ts";
import type { Handle } from "../../framework/interface.ts";
import type { NodeInfo } from "../../framework/node-info.ts";
import type { PodInfo } from "../../framework/pod-info.ts";
import { type Status, unresolvable } from "../../framework/status.ts";

export const errNoVictims = "No preemption victims found for incoming pod";

export interface Victims {
  /** Most important first. */
  readonly pods: PodInfo[];
  readonly numPDBViolations: number;
}

const startTime = (p: PodInfo, now: number): number => {
  const t = p.pod.status?.startTime;
  return t ? Date.parse(t) : now;
};

/** Upstream `util.MoreImportantPod`: higher priority, then the one running longer. */
export function moreImportant(a: PodInfo, b: PodInfo, now: number): boolean {
  if (a.priority !== b.priority) return a.priority > b.priority;
  return startTime(a, now) < startTime(b, now);
}

/** Splits pods (order kept) by whether evicting them would exceed a matching PDB's allowance. */
export function filterPodsWithPDBViolation(
  pods: readonly PodInfo[],
  pdbs: readonly PodDisruptionBudget[],
): [violating: PodInfo[], nonViolating: PodInfo[]] {
  const allowed = pdbs.map((p) => p.status?.disruptionsAllowed ?? 0);
  const violating: PodInfo[] = [];
  const nonViolating: PodInfo[] = [];
  for (const p of pods) {
    let violated = false;
    if (Object.keys(p.labels).length > 0) {
      pdbs.forEach((pdb, i) => {
        if ((pdb.metadata?.namespace ?? "") !== p.namespace) return;
        let matches = false;
        try {
          const sel = selectorFromLabelSelector(pdb.spec?.selector);
          matches = !sel.isEmpty() && sel.matches(p.labels);
        } catch {}
        if (!matches || Object.hasOwn(pdb.status?.disruptedPods ?? {}, p.name)) return;
        allowed[i] = (allowed[i] ?? 0) - 1;
        if ((allowed[i] ?? 0) < 0) violated = true;
      });
    }
    (violated ? violating : nonViolating).push(p);
  }
  return [violating, nonViolating];
}

export function selectVictimsOnNode(
  handle: Handle,
  state: CycleState,
  pod: PodInfo,
  node: NodeInfo,
  pdbs: readonly PodDisruptionBudget[],
): Victims | Status {
  const now = handle.clock.now();
  const potential = node.pods.filter((p) => p.priority < pod.priority);
  if (potential.length === 0) return unresolvable(errNoVictims);
  for (const p of potential) {
    node.removePod(p.uid);
    const s = handle.runPreFilterExtensionRemovePod(state, pod, p, node);
    if (s.code !== "Success") return s;
  }
  const fits = handle.runFilterPluginsWithNominatedPods(state, pod, node);
  if (fits.code !== "Success") return fits;
  potential.sort((a, b) => (moreImportant(a, b, now) ? -1 : moreImportant(b, a, now) ? 1 : 0));
  const [violating, nonViolating] = filterPodsWithPDBViolation(potential, pdbs);
  const victims: PodInfo[] = [];
  const reprieve = (p: PodInfo): boolean => {
    node.addPod(p);
    handle.runPreFilterExtensionAddPod(state, pod, p, node);
    if (handle.runFilterPluginsWithNominatedPods(state, pod, node).code === "Success") return true;
    node.removePod(p.uid);
    handle.runPreFilterExtensionRemovePod(state, pod, p, node);
    victims.push(p);
    return false;
  };
  let numPDBViolations = 0;
  for (const p of violating) if (!reprieve(p)) numPDBViolations++;
  for (const p of nonViolating) reprieve(p);
  if (violating.length > 0 && nonViolating.length > 0) {
    victims.sort((a, b) => (moreImportant(a, b, now) ? -1 : moreImportant(b, a, now) ? 1 : 0));
  }
  return { pods: victims, numPDBViolations };
}
