/**
 * One pod's trip through the scheduler (upstream `schedule_one.go`), top to bottom:
 *   scheduling cycle (synchronous): schedulePod → on no fit, PostFilter (preemption) →
 *     assume (count the pod on the chosen node in the cache) → Reserve;
 *   binding cycle (asynchronous, many in flight): PreBind → Bind → "Scheduled" event;
 *   on failure: FailedScheduling event, PodScheduled=False condition with the same message,
 *     nominated node recorded, and the pod back to the queue.
 */
import type { Pod, PodCondition } from "../api/generated/types.ts";
import type { Logger } from "../machinery/log.ts";
import type { SchedulerCache } from "./cache/cache.ts";
import type { CycleState } from "./framework/cycle-state.ts";
import type { Framework } from "./framework/framework.ts";
import { fitErrorMessage } from "./framework/node-to-status.ts";
import type { PodInfo } from "./framework/pod-info.ts";
import { isRejected, type Status, statusMessage } from "./framework/status.ts";
import type { QueuedPodInfo, SchedulingQueue } from "./queue/scheduling-queue.ts";
import { type Sampler, schedulePod } from "./schedule-pod.ts";

export interface SchedulerParts {
  readonly framework: Framework;
  readonly cache: SchedulerCache;
  readonly queue: SchedulingQueue;
  readonly sampler: Sampler;
  readonly log: Logger;
  /** The informer's current copy of a pod (undefined once deleted). */
  readonly currentPod: (namespace: string, name: string) => Pod | undefined;
}

/** Upstream `validation.NoteLengthLimit`: longer event messages are cut with " ...". */
const noteLengthLimit = 1024;

interface Failure {
  readonly status: Status;
  readonly message: string;
  readonly unschedulablePlugins?: ReadonlySet<string>;
  /** Set: nominate this node ("" clears); absent: keep the pod's nomination. */
  readonly nominatedNodeName?: string;
}

/**
 * Schedules one popped pod. The scheduling cycle runs before this returns; the promise covers
 * the asynchronous tail (binding, or writing the failure to the API).
 */
export function scheduleOne(s: SchedulerParts, q: QueuedPodInfo): Promise<void> {
  const fwk = s.framework;
  const pod = q.podInfo;
  const cycle = s.queue.schedulingCycle;
  if (pod.pod.metadata?.deletionTimestamp || s.cache.nodeOf(pod.uid) !== undefined) {
    s.queue.done(pod.uid);
    return Promise.resolve();
  }
  const state = fwk.newCycleState();
  const result = schedulingCycle(s, state, pod);
  if ("status" in result) return handleSchedulingFailure(s, q, result, cycle);
  return bindingCycle(s, state, q, result.host, cycle);
}

function schedulingCycle(
  s: SchedulerParts,
  state: CycleState,
  pod: PodInfo,
): { host: string } | Failure {
  const fwk = s.framework;
  const r = schedulePod(fwk, state, pod, s.sampler);
  if (r.kind === "error") {
    return { status: r.status, message: statusMessage(r.status), nominatedNodeName: "" };
  }
  if (r.kind === "unfit") {
    const d = r.diagnosis;
    let nominatedNodeName: string | undefined = "";
    if (fwk.postFilterPlugins.length > 0) {
      const post = fwk.runPostFilterPlugins(state, pod, d.nodeToStatus);
      d.postFilterMsg = statusMessage(post.status);
      if (post.status.code === "Error") s.log.warn("post-filter failed", { pod: pod.key });
      nominatedNodeName = post.nominatedNodeName;
    }
    return {
      status: { code: "Unschedulable", reasons: [] },
      message: fitErrorMessage(r.numAllNodes, d),
      unschedulablePlugins: d.unschedulablePlugins,
      ...(nominatedNodeName !== undefined ? { nominatedNodeName } : {}),
    };
  }
  s.cache.assumePod(pod, r.host);
  s.queue.nominator.delete(pod.uid);
  const reserved = fwk.runReservePluginsReserve(state, pod, r.host);
  if (reserved.code !== "Success") {
    fwk.runReservePluginsUnreserve(state, pod, r.host);
    s.cache.forgetPod(pod.uid);
    const message = isRejected(reserved)
      ? `0/1 nodes are available: ${statusMessage(reserved)}.`
      : statusMessage(reserved);
    return { status: reserved, message, nominatedNodeName: "" };
  }
  return { host: r.host };
}

async function bindingCycle(
  s: SchedulerParts,
  state: CycleState,
  q: QueuedPodInfo,
  host: string,
  cycle: number,
): Promise<void> {
  const fwk = s.framework;
  const pod = q.podInfo;
  let status = await fwk.runPreBindPlugins(state, pod, host);
  if (status.code === "Success") status = await fwk.runBindPlugins(state, pod, host);
  if (status.code === "Success") {
    s.queue.done(pod.uid);
    fwk.events.event(
      pod.pod,
      "Normal",
      "Scheduled",
      `Successfully assigned ${pod.namespace}/${pod.name} to ${host}`,
    );
    return;
  }
  // Binding failed: release what the pod held and let pods waiting for room try again.
  fwk.runReservePluginsUnreserve(state, pod, host);
  s.cache.forgetPod(pod.uid);
  s.queue.moveAllToActiveOrBackoffQueue({ resource: "AssignedPod", action: "Delete" });
  const message = statusMessage(status);
  await handleSchedulingFailure(s, q, { status, message, nominatedNodeName: "" }, cycle);
}

async function handleSchedulingFailure(
  s: SchedulerParts,
  q: QueuedPodInfo,
  f: Failure,
  cycle: number,
): Promise<void> {
  const fwk = s.framework;
  const pod = q.podInfo;
  const reason = isRejected(f.status) ? "Unschedulable" : "SchedulerError";
  if (reason === "SchedulerError")
    s.log.warn("error scheduling pod", { pod: pod.key, err: f.message });
  const current = s.currentPod(pod.namespace, pod.name);
  if (!current || current.spec?.nodeName) {
    s.queue.done(pod.uid);
  } else {
    const unschedulablePlugins = new Set(f.unschedulablePlugins ?? []);
    s.queue.addUnschedulableIfNotPresent(
      { ...q, podInfo: fwk.podInfo(current), unschedulablePlugins },
      cycle,
    );
  }
  if (f.nominatedNodeName) s.queue.nominator.add(pod, f.nominatedNodeName);
  else if (f.nominatedNodeName === "") s.queue.nominator.delete(pod.uid);
  const message =
    f.message.length <= noteLengthLimit
      ? f.message
      : `${f.message.slice(0, noteLengthLimit - 4)} ...`;
  fwk.events.event(pod.pod, "Warning", "FailedScheduling", message);
  await updatePod(s, current ?? pod.pod, f, reason);
}

/** Writes the PodScheduled=False condition and nomination, if either changed. */
async function updatePod(s: SchedulerParts, pod: Pod, f: Failure, reason: string) {
  const condition: PodCondition = {
    type: "PodScheduled",
    status: "False",
    reason,
    message: f.message,
  };
  const old = pod.status?.conditions?.find((c) => c.type === "PodScheduled");
  const conditionChanged =
    old?.status !== condition.status ||
    old.reason !== condition.reason ||
    old.message !== condition.message;
  const nnn = f.nominatedNodeName;
  const nnnChanged = nnn !== undefined && (pod.status?.nominatedNodeName ?? "") !== nnn;
  if (!conditionChanged && !nnnChanged) return;
  try {
    await s.framework.api.updatePodStatus(pod, {
      ...(conditionChanged ? { condition } : {}),
      ...(nnnChanged ? { nominatedNodeName: nnn } : {}),
    });
  } catch (err) {
    s.log.debug("could not update pod status", { pod: pod.metadata?.name, err });
  }
}
