/**
 * DefaultPreemption (PostFilter): when no node fits, find the node where evicting the fewest,
 * least important lower-priority pods makes room (dry runs on copies of the nodes), nominate it
 * (status.nominatedNodeName) and delete the victims with their default grace period, as
 * upstream — with a DisruptionTarget condition and a "Preempted" event on each. The deletes run
 * in the background (upstream's async preemption); the pod is retried when victims go away.
 */
import type { Pod } from "../../../api/generated/types.ts";
import type { CycleState } from "../../framework/cycle-state.ts";
import type { Handle, PostFilterPlugin, PostFilterResult } from "../../framework/interface.ts";
import {
  type Diagnosis,
  fitErrorMessage,
  type NodeToStatus,
  newDiagnosis,
} from "../../framework/node-to-status.ts";
import type { PodInfo } from "../../framework/pod-info.ts";
import { success, unresolvable, unschedulable } from "../../framework/status.ts";
import { type Candidate, pickOneNodeForPreemption } from "./pick-node.ts";
import { selectVictimsOnNode } from "./select-victims.ts";

export const name = "DefaultPreemption";

export interface DefaultPreemptionArgs {
  readonly minCandidateNodesPercentage?: number;
  readonly minCandidateNodesAbsolute?: number;
}

const preempting = (p: Pod): boolean =>
  (p.status?.conditions ?? []).some(
    (c) =>
      c.type === "DisruptionTarget" && c.status === "True" && c.reason === "PreemptionByScheduler",
  );

export function newDefaultPreemption(handle: Handle, args?: unknown): PostFilterPlugin {
  const a = (args ?? {}) as DefaultPreemptionArgs;
  const minPercentage = a.minCandidateNodesPercentage ?? 10;
  const minAbsolute = a.minCandidateNodesAbsolute ?? 100;

  function preemptionPolicy(pod: PodInfo): string | undefined {
    // The Priority admission plugin copies the class's policy into the pod.
    return pod.pod.spec?.preemptionPolicy;
  }

  /** Upstream `PodEligibleToPreemptOthers`: "" when eligible, else why not. */
  function notEligible(pod: PodInfo, statuses: NodeToStatus): string {
    if (preemptionPolicy(pod) === "Never") return "not eligible due to preemptionPolicy=Never.";
    const nominated = pod.pod.status?.nominatedNodeName;
    if (!nominated || statuses.get(nominated).code === "UnschedulableAndUnresolvable") return "";
    const node = handle.snapshot.get(nominated);
    const terminating = node?.pods.some(
      (p) => p.priority < pod.priority && p.pod.metadata?.deletionTimestamp && preempting(p.pod),
    );
    return terminating ? "not eligible due to a terminating pod on the nominated node." : "";
  }

  function dryRun(state: CycleState, pod: PodInfo, potential: string[], d: Diagnosis): Candidate[] {
    const pdbs = handle.listers.pdbs.list();
    const n = potential.length;
    const numCandidates = Math.min(n, Math.max(Math.trunc((n * minPercentage) / 100), minAbsolute));
    const offset = Math.floor(Math.random() * n);
    const candidates: Candidate[] = [];
    let nonViolating = 0;
    for (let i = 0; i < n; i++) {
      const nodeName = potential[(offset + i) % n] as string;
      const node = handle.snapshot.get(nodeName);
      if (!node) continue;
      const r = selectVictimsOnNode(handle, state.clone(), pod, node.clone(), pdbs);
      if ("code" in r) {
        d.nodeToStatus.set(nodeName, r);
        continue;
      }
      if (r.pods.length === 0) continue;
      candidates.push({ nodeName, victims: r });
      if (r.numPDBViolations === 0) nonViolating++;
      if (nonViolating > 0 && candidates.length >= numCandidates) break;
    }
    return candidates;
  }

  function prepareCandidate(pod: PodInfo, c: Candidate): void {
    const message = `${handle.schedulerName}: preempting to accommodate a higher priority pod`;
    for (const victim of c.victims.pods) {
      const v = victim.pod;
      if (v.metadata?.deletionTimestamp) continue;
      const condition = {
        type: "DisruptionTarget",
        status: "True",
        reason: "PreemptionByScheduler",
        message,
      };
      void handle.api
        .updatePodStatus(v, { condition })
        .then(() => handle.api.deletePod(v))
        .then(() =>
          handle.events.event(
            v,
            "Normal",
            "Preempted",
            `Preempted by pod ${pod.uid} on node ${c.nodeName}`,
          ),
        )
        .catch((err: unknown) =>
          handle.log.warn("preempting victim failed", { victim: victim.key, err }),
        );
    }
    // Lower-priority pods nominated to this node may no longer fit there.
    for (const p of handle.nominator.nominatedPodsForNode(c.nodeName)) {
      if (p.priority >= pod.priority || p.uid === pod.uid) continue;
      void handle.api
        .updatePodStatus(p.pod, { nominatedNodeName: "" })
        .catch((err: unknown) =>
          handle.log.debug("clearing nomination failed", { pod: p.key, err }),
        );
    }
  }

  function preempt(state: CycleState, pod: PodInfo, statuses: NodeToStatus): PostFilterResult {
    const why = notEligible(pod, statuses);
    if (why) return { status: unschedulable(why) };
    const allNodes = handle.snapshot.nodeInfos().map((n) => n.name);
    const potential = statuses.nodesWithCode(allNodes, "Unschedulable");
    const d = newDiagnosis();
    const candidates = potential.length > 0 ? dryRun(state, pod, potential, d) : [];
    if (candidates.length === 0) {
      d.nodeToStatus.absent = unresolvable("Preemption is not helpful for scheduling");
      return { status: unschedulable(fitErrorMessage(allNodes.length, d)), nominatedNodeName: "" };
    }
    const best = pickOneNodeForPreemption(candidates, handle.clock.now());
    if (!best) return { status: unschedulable("no candidate node for preemption") };
    prepareCandidate(pod, best);
    return { status: success, nominatedNodeName: best.nodeName };
  }

  return {
    name,
    postFilter(state, pod, statuses) {
      const r = preempt(state, pod, statuses);
      const msg = r.status.reasons.join(", ");
      if (!msg) return r;
      return { ...r, status: { code: r.status.code, reasons: [`preemption: ${msg}`] } };
    },
  };
}
