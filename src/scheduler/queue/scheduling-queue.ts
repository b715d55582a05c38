/**
 * The scheduling queue (upstream `internal/queue/scheduling_queue.go`):
 * - activeQ: pods ready to be tried, highest priority first, then oldest;
 * - backoffQ: pods that failed and wait out a back-off (1 s, doubling per attempt, at most 10 s);
 * - unschedulablePods: pods no node fits, parked until a cluster event that could help one of
 *   the plugins that rejected them (a node added, a pod deleted, a PV bound…), or for at most
 *   5 minutes. A move request during a pod's own cycle sends it to backoffQ instead, so events
 *   that raced with its cycle are not lost.
 * Pods with scheduling gates wait in unschedulablePods until an update removes the gates.
 */
import type { Pod } from "../../api/generated/types.ts";
import { onAbort } from "../../machinery/abort.ts";
import type { Clock } from "../../machinery/clock.ts";
import type { ClusterEvent } from "../framework/interface.ts";
import type { PodInfo } from "../framework/pod-info.ts";
import { Heap } from "./heap.ts";
import { PodNominator } from "./nominator.ts";

export interface QueuedPodInfo {
  podInfo: PodInfo;
  /** When the pod entered the queue or last failed (ordering and back-off). */
  timestamp: number;
  attempts: number;
  initialAttemptTimestamp: number | undefined;
  /** Plugins that rejected the pod in its last attempt. */
  unschedulablePlugins: Set<string>;
  gated: boolean;
}

export interface SchedulingQueueOptions {
  readonly clock: Clock;
  readonly podInfo: (pod: Pod) => PodInfo;
  /** Plugin name → the events that may make pods it rejected schedulable. */
  readonly pluginEvents: ReadonlyMap<string, readonly ClusterEvent[]>;
  readonly less?: (a: QueuedPodInfo, b: QueuedPodInfo) => boolean;
  readonly podInitialBackoffMs?: number;
  readonly podMaxBackoffMs?: number;
  readonly podMaxInUnschedulablePodsDurationMs?: number;
}

/** PrioritySort: higher priority first, then the earlier timestamp. */
export const prioritySortLess = (a: QueuedPodInfo, b: QueuedPodInfo): boolean =>
  a.podInfo.priority > b.podInfo.priority ||
  (a.podInfo.priority === b.podInfo.priority && a.timestamp < b.timestamp);

const isGated = (pod: Pod) => (pod.spec?.schedulingGates ?? []).length > 0;

export class SchedulingQueue {
  readonly nominator = new PodNominator();
  readonly #o: SchedulingQueueOptions;
  readonly #activeQ: Heap<QueuedPodInfo>;
  readonly #backoffQ: Heap<QueuedPodInfo>;
  readonly #unschedulable = new Map<string, QueuedPodInfo>();
  /** Pods popped and not yet done, with the newest object seen meanwhile (null: deleted). */
  readonly #inFlight = new Map<string, Pod | null>();
  #waiters: Array<() => void> = [];
  #schedulingCycle = 0;
  #moveRequestCycle = -1;
  #closed = false;

  constructor(options: SchedulingQueueOptions) {
    this.#o = options;
    const key = (q: QueuedPodInfo) => q.podInfo.uid;
    this.#activeQ = new Heap(key, options.less ?? prioritySortLess);
    this.#backoffQ = new Heap(key, (a, b) => this.#backoffExpiry(a) < this.#backoffExpiry(b));
  }

  get schedulingCycle(): number {
    return this.#schedulingCycle;
  }

  #newQueued(pod: Pod): QueuedPodInfo {
    return {
      podInfo: this.#o.podInfo(pod),
      timestamp: this.#o.clock.now(),
      attempts: 0,
      initialAttemptTimestamp: undefined,
      unschedulablePlugins: new Set(),
      gated: isGated(pod),
    };
  }

  #backoffDuration(q: QueuedPodInfo): number {
    const max = this.#o.podMaxBackoffMs ?? 10_000;
    let d = this.#o.podInitialBackoffMs ?? 1_000;
    for (let i = 1; i < q.attempts; i++) {
      d *= 2;
      if (d >= max) return max;
    }
    return Math.min(d, max);
  }

  #backoffExpiry(q: QueuedPodInfo): number {
    return q.timestamp + this.#backoffDuration(q);
  }

  #toActive(q: QueuedPodInfo): void {
    this.#activeQ.addOrUpdate(q);
    for (const w of this.#waiters.splice(0)) w();
  }

  /** To backoffQ while backing off, else straight to activeQ. */
  #requeue(q: QueuedPodInfo): void {
    if (q.attempts > 0 && this.#backoffExpiry(q) > this.#o.clock.now()) {
      this.#backoffQ.addOrUpdate(q);
    } else this.#toActive(q);
  }

  add(pod: Pod): void {
    const q = this.#newQueued(pod);
    this.nominator.update(q.podInfo);
    if (q.gated) this.#unschedulable.set(q.podInfo.uid, q);
    else this.#toActive(q);
  }

  update(oldPod: Pod, pod: Pod): void {
    const info = this.#o.podInfo(pod);
    const uid = info.uid;
    this.nominator.update(info);
    if (this.#inFlight.has(uid)) {
      this.#inFlight.set(uid, pod);
      return;
    }
    for (const heap of [this.#activeQ, this.#backoffQ]) {
      const q = heap.get(uid);
      if (q) {
        heap.addOrUpdate({ ...q, podInfo: info });
        return;
      }
    }
    const q = this.#unschedulable.get(uid);
    if (!q) {
      this.add(pod);
      return;
    }
    const updated: QueuedPodInfo = { ...q, podInfo: info, gated: isGated(pod) };
    if (updated.gated) {
      this.#unschedulable.set(uid, updated);
    } else if (q.gated || specChanged(oldPod, pod)) {
      this.#unschedulable.delete(uid);
      this.#requeue(updated);
    } else this.#unschedulable.set(uid, updated);
  }

  delete(pod: Pod): void {
    const uid = this.#o.podInfo(pod).uid;
    this.nominator.delete(uid);
    this.#activeQ.delete(uid);
    this.#backoffQ.delete(uid);
    this.#unschedulable.delete(uid);
    if (this.#inFlight.has(uid)) this.#inFlight.set(uid, null);
  }

  /** The next pod to schedule, if one is ready; it is in flight until `done`. */
  tryPop(): QueuedPodInfo | undefined {
    const q = this.#activeQ.pop();
    if (!q) return undefined;
    q.attempts++;
    q.initialAttemptTimestamp ??= this.#o.clock.now();
    this.#schedulingCycle++;
    this.#inFlight.set(q.podInfo.uid, q.podInfo.pod);
    return q;
  }

  /** Resolves when activeQ has a pod, the queue closes, or `signal` aborts. */
  wait(signal?: AbortSignal): Promise<void> {
    if (this.#activeQ.size > 0 || this.#closed || signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      // The listener goes with the wait: the signal lives as long as the scheduler, and
      // thousands of stale listeners make every addEventListener slower.
      const done = () => {
        signal?.removeEventListener("abort", done);
        resolve();
      };
      this.#waiters.push(done);
      signal?.addEventListener("abort", done, { once: true });
    });
  }

  /** The pod's cycle is over (bound, or requeued). */
  done(uid: string): void {
    this.#inFlight.delete(uid);
  }

  /**
   * A pod that failed its cycle (`podSchedulingCycle`). Back to backoffQ if it failed with an
   * error, a move request came while it was being tried, or it changed meanwhile; else parked
   * in unschedulablePods.
   */
  addUnschedulableIfNotPresent(q: QueuedPodInfo, podSchedulingCycle: number): void {
    const uid = q.podInfo.uid;
    const latest = this.#inFlight.get(uid);
    this.#inFlight.delete(uid);
    if (latest === null || this.#activeQ.has(uid) || this.#backoffQ.has(uid)) return;
    const changed = latest !== undefined && latest !== q.podInfo.pod;
    const updated: QueuedPodInfo = {
      ...q,
      podInfo: latest ? this.#o.podInfo(latest) : q.podInfo,
      timestamp: this.#o.clock.now(),
    };
    // No rejecting plugin means an error, not a verdict: retry after back-off.
    const failedWithError = q.unschedulablePlugins.size === 0;
    if (failedWithError || this.#moveRequestCycle >= podSchedulingCycle || changed) {
      this.#backoffQ.addOrUpdate(updated);
    } else this.#unschedulable.set(uid, updated);
  }

  /** Moves parked pods that `event` may help (and that `filter` accepts) back to be tried. */
  moveAllToActiveOrBackoffQueue(event: ClusterEvent, filter?: (q: QueuedPodInfo) => boolean) {
    for (const [uid, q] of this.#unschedulable) {
      if (q.gated || !this.#mayHelp(q, event) || (filter && !filter(q))) continue;
      this.#unschedulable.delete(uid);
      this.#requeue(q);
    }
    this.#moveRequestCycle = this.#schedulingCycle;
  }

  #mayHelp(q: QueuedPodInfo, event: ClusterEvent): boolean {
    if (event.resource === "WildCard" || q.unschedulablePlugins.size === 0) return true;
    for (const plugin of q.unschedulablePlugins) {
      for (const reg of this.#o.pluginEvents.get(plugin) ?? []) {
        if (eventMatches(reg, event)) return true;
      }
    }
    return false;
  }

  /** Moves pods whose back-off is over to activeQ. */
  flushBackoffQCompleted(): void {
    const now = this.#o.clock.now();
    for (;;) {
      const q = this.#backoffQ.peek();
      if (!q || this.#backoffExpiry(q) > now) return;
      this.#backoffQ.pop();
      this.#toActive(q);
    }
  }

  /** Moves pods parked longer than podMaxInUnschedulablePodsDuration (5 min) back. */
  flushUnschedulablePodsLeftover(): void {
    const now = this.#o.clock.now();
    const max = this.#o.podMaxInUnschedulablePodsDurationMs ?? 300_000;
    for (const [uid, q] of this.#unschedulable) {
      if (q.gated || now - q.timestamp <= max) continue;
      this.#unschedulable.delete(uid);
      this.#requeue(q);
    }
  }

  /** Runs the periodic flushes (back-off every second, leftovers every 30 s) until `signal`. */
  run(signal: AbortSignal): void {
    const every = (ms: number, fn: () => void) => {
      const tick = () => {
        if (signal.aborted) return;
        fn();
        timer = this.#o.clock.after(ms, tick);
      };
      let timer = this.#o.clock.after(ms, tick);
      onAbort(signal, () => timer.cancel());
    };
    every(1_000, () => this.flushBackoffQCompleted());
    every(30_000, () => this.flushUnschedulablePodsLeftover());
    onAbort(signal, () => this.close());
  }

  close(): void {
    this.#closed = true;
    for (const w of this.#waiters.splice(0)) w();
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Counts per sub-queue, for tests and metrics. */
  pendingPods(): { active: number; backoff: number; unschedulable: number } {
    return {
      active: this.#activeQ.size,
      backoff: this.#backoffQ.size,
      unschedulable: this.#unschedulable.size,
    };
  }
}

export function eventMatches(registered: ClusterEvent, event: ClusterEvent): boolean {
  if (registered.resource !== event.resource && registered.resource !== "WildCard") return false;
  const r = registered.action;
  const e = event.action;
  return (
    r === "All" ||
    r === e ||
    (r === "Update" && e.startsWith("Update")) ||
    (e === "Update" && r.startsWith("Update"))
  );
}

/** Did anything but status and bookkeeping change? (upstream `isPodUpdated`) */
function specChanged(a: Pod, b: Pod): boolean {
  const strip = (p: Pod) => ({
    labels: p.metadata?.labels,
    annotations: p.metadata?.annotations,
    spec: p.spec,
  });
  return JSON.stringify(strip(a)) !== JSON.stringify(strip(b));
}
