/**
 * The kubelet: registers its Node, renews its Lease, keeps the Node status current, and converges
 * every pod bound to it through a PodRuntime, reporting pod status and finishing deletions. The
 * same code serves real (containerd) and simulated nodes; only the runtime differs.
 */
import type { Node, NodeCondition } from "../api/generated/types.ts";
import type { EventRecorder } from "../client/event-recorder.ts";
import { resourcePath, resources } from "../client/resources.ts";
import type { RestClient } from "../client/rest-client.ts";
import { untilAborted } from "../machinery/abort.ts";
import { type Clock, realClock } from "../machinery/clock.ts";
import { type Logger, silentLogger } from "../machinery/log.ts";
import { isStatusError } from "../machinery/status.ts";
import { formatTime } from "../machinery/time.ts";
import { renewNodeLease } from "./lease.ts";
import { nodeRef, nodeStatusEvents, recordNodeStatusEvents } from "./node-events.ts";
import { mergeConditions, type NodeIdentity, nodeConditions, nodeObject } from "./node-status.ts";
import type { Pod, PodSource } from "./pod-source.ts";
import { podStatus } from "./pod-status.ts";
import type { PodRuntime } from "./runtime.ts";

export interface KubeletOptions {
  readonly client: RestClient;
  readonly node: NodeIdentity;
  readonly runtime: PodRuntime;
  readonly pods: PodSource;
  readonly clock?: Clock;
  readonly log?: Logger;
  readonly recorder?: EventRecorder;
  readonly leaseDurationSeconds?: number;
  readonly heartbeatMs?: number;
  /** The Node status is posted at least this often (upstream nodeStatusReportFrequency). */
  readonly statusMs?: number;
  /** The Node status is checked this often and posted when it changed (1 s while not Ready). */
  readonly statusCheckMs?: number;
  /** Every pod is re-synced this often (container exits, probes). */
  readonly resyncMs?: number;
  /** Pods the runtime has but the API no longer does are killed this often. */
  readonly housekeepingMs?: number;
}

const fastStatusCheckMs = 250;

export class Kubelet {
  readonly #o: KubeletOptions;
  readonly #clock: Clock;
  readonly #log: Logger;
  #nodeUid: string | undefined;
  #podCIDR: string | undefined;
  #runtimePodCIDR: string | undefined;
  #lastStatus = { ready: false, postedAt: 0 };
  #cidrWaitMs = fastStatusCheckMs;
  /** The last version of each pod seen, by uid, to kill it properly once it is gone. */
  readonly #known = new Map<string, Pod>();
  readonly #started = new Map<string, number>();
  readonly #syncing = new Map<string, Promise<void>>();
  readonly #again = new Set<string>();
  readonly #killing = new Set<string>();
  #stopped = false;

  constructor(options: KubeletOptions) {
    this.#o = options;
    this.#clock = options.clock ?? realClock;
    this.#log = (options.log ?? silentLogger).with({ node: options.node.name });
  }

  get nodeName(): string {
    return this.#o.node.name;
  }

  /** Registers the node and runs until `signal` aborts. */
  async run(signal: AbortSignal): Promise<void> {
    this.#o.recorder?.event(nodeRef(this.nodeName), "Normal", "Starting", "Starting kubelet.");
    if (!(await this.#registerWithAPIServer(signal))) return;
    const unsubscribe = this.#o.pods.subscribe(this.nodeName, (key, pod) => {
      if (!pod) void this.#housekeeping();
      this.#enqueue(key);
    });
    const timers = [
      this.#every(this.#o.heartbeatMs ?? 10_000, () => this.#renewLease()),
      this.#every(
        () => this.#statusCheckPeriod(),
        () => this.#updateNodeStatus(),
      ),
      this.#every(this.#o.resyncMs ?? 10_000, () => {
        for (const pod of this.#o.pods.podsOn(this.nodeName)) this.#enqueue(keyOf(pod));
      }),
      this.#every(this.#o.housekeepingMs ?? 2000, () => this.#housekeeping()),
    ];
    await this.#renewLease();
    await untilAborted(signal);
    this.#stopped = true;
    unsubscribe();
    for (const stop of timers) stop();
  }

  /**
   * Until the node is Ready (runtime and pod network up) it checks four times a second: how soon
   * a new node reports Ready is how soon a cluster is up. A Ready node still waiting for a pod
   * CIDR (the cluster CIDR may have none left for it) asks at doubling intervals up to the usual
   * period, not four times a second for ever: 744 of 1,000 simulated nodes once did, 3,000 GETs/s.
   */
  #statusCheckPeriod(): number {
    const period = this.#o.statusCheckMs ?? 10_000;
    if (!this.#lastStatus.ready) {
      this.#cidrWaitMs = fastStatusCheckMs;
      return fastStatusCheckMs;
    }
    if (this.#podCIDR) return period;
    this.#cidrWaitMs = Math.min(this.#cidrWaitMs * 2, period);
    return this.#cidrWaitMs;
  }

  /** Re-syncs one pod soon (the runtime calls this when a container changes state). */
  notify(key: string): void {
    this.#enqueue(key);
  }

  #every(ms: number | (() => number), fn: () => Promise<void> | void): () => void {
    const period = typeof ms === "number" ? () => ms : ms;
    let timer = this.#clock.after(period(), tick);
    const self = this;
    function tick() {
      if (self.#stopped) return;
      Promise.resolve(fn())
        .catch((err) => self.#log.warn("periodic task failed", { err }))
        .finally(() => {
          if (!self.#stopped) timer = self.#clock.after(period(), tick);
        });
    }
    return () => timer.cancel();
  }

  /**
   * Upstream's registerWithAPIServer: tries until it succeeds, waiting 100 ms doubling up to 7 s
   * between attempts (an API server that is not up yet is no reason to exit). False if stopped.
   */
  async #registerWithAPIServer(signal: AbortSignal): Promise<boolean> {
    for (let delay = 100; !signal.aborted; delay = Math.min(delay * 2, 7000)) {
      try {
        await this.#register();
        return true;
      } catch (err) {
        if (signal.aborted) break;
        this.#log.warn("unable to register node with API server", { err, retryInMs: delay });
      }
      await new Promise<void>((resolve) => {
        const timer = this.#clock.after(delay, resolve);
        signal.addEventListener(
          "abort",
          () => {
            timer.cancel();
            resolve();
          },
          { once: true },
        );
      });
    }
    return false;
  }

  async #register(): Promise<void> {
    const { client, node } = this.#o;
    const ready = await this.#o.runtime.ready();
    const desired = nodeObject(node, ready, formatTime(this.#clock.now()));
    const path = resourcePath(resources.nodes, "", node.name);
    let stored: Node;
    let before: NodeCondition[] | undefined;
    try {
      stored = await client.create<Node>(resourcePath(resources.nodes), desired);
      this.#log.info("registered node");
    } catch (err) {
      if (!isStatusError(err, "AlreadyExists")) throw err;
      const current = await client.get<Node>(path);
      before = current.status?.conditions;
      const labels = { ...current.metadata?.labels, ...desired.metadata?.labels };
      await client.patch(path, "merge", { metadata: { labels } });
      stored = await client.patch<Node>(`${path}/status`, "merge", {
        status: {
          ...desired.status,
          conditions: mergeConditions(current.status?.conditions, desired.status!.conditions!),
        },
      });
    }
    recordNodeStatusEvents(
      this.#o.recorder,
      node.name,
      nodeStatusEvents(before, desired.status?.conditions ?? []),
    );
    this.#nodeUid = stored.metadata?.uid;
    this.#lastStatus = { ready, postedAt: this.#clock.now() };
    await this.#setPodCIDR(stored.spec?.podCIDR);
  }

  /** Hands a new pod CIDR to the runtime (which writes the CNI config), once. */
  async #setPodCIDR(cidr: string | undefined): Promise<void> {
    this.#podCIDR = cidr;
    if (!cidr || cidr === this.#runtimePodCIDR || !this.#o.runtime.updatePodCIDR) return;
    await this.#o.runtime.updatePodCIDR(cidr);
    this.#runtimePodCIDR = cidr;
    this.#log.info("pod CIDR set", { podCIDR: cidr });
  }

  async #renewLease(): Promise<void> {
    await renewNodeLease({
      client: this.#o.client,
      nodeName: this.nodeName,
      nodeUid: this.#nodeUid,
      durationSeconds: this.#o.leaseDurationSeconds ?? 40,
      now: this.#clock.now(),
    });
  }

  /** Posts the Node status when readiness changed or `statusMs` has passed. */
  async #updateNodeStatus(): Promise<void> {
    const path = resourcePath(resources.nodes, "", this.nodeName);
    if (!this.#podCIDR) {
      const current = await this.#o.client.get<Node>(path);
      await this.#setPodCIDR(current.spec?.podCIDR);
    }
    const ready = await this.#o.runtime.ready();
    const now = this.#clock.now();
    if (
      ready === this.#lastStatus.ready &&
      now - this.#lastStatus.postedAt < (this.#o.statusMs ?? 60_000)
    ) {
      return;
    }
    const current = await this.#o.client.get<Node>(path);
    await this.#setPodCIDR(current.spec?.podCIDR);
    const conditions = nodeConditions(ready, formatTime(now));
    await this.#o.client.patch(`${path}/status`, "merge", {
      status: { conditions: mergeConditions(current.status?.conditions, conditions) },
    });
    recordNodeStatusEvents(
      this.#o.recorder,
      this.nodeName,
      nodeStatusEvents(current.status?.conditions, conditions),
    );
    if (ready !== this.#lastStatus.ready) this.#log.info("node readiness changed", { ready });
    this.#lastStatus = { ready, postedAt: now };
  }

  /**
   * Kills pods the runtime still has but that are no longer bound here (force-deleted, or gone
   * while the kubelet was down), with the last spec seen if there was one.
   */
  async #housekeeping(): Promise<void> {
    if (this.#stopped) return;
    const wanted = new Set(this.#o.pods.podsOn(this.nodeName).map((p) => p.metadata?.uid ?? ""));
    for (const uid of await this.#o.runtime.runningPods()) {
      if (wanted.has(uid) || this.#killing.has(uid)) continue;
      const pod = this.#known.get(uid) ?? ({ metadata: { uid } } as Pod);
      this.#killing.add(uid);
      this.#log.info("killing orphaned pod", { uid, pod: pod.metadata?.name });
      await this.#o.runtime
        .killPod(pod)
        .catch((err) => this.#log.warn("killing orphaned pod failed", { uid, err }))
        .finally(() => this.#killing.delete(uid));
      this.#known.delete(uid);
      this.#started.delete(uid);
    }
  }

  #enqueue(key: string): void {
    if (this.#stopped) return;
    if (this.#syncing.has(key)) {
      this.#again.add(key);
      return;
    }
    const run = this.#syncPod(key)
      .catch((err) => this.#log.warn("pod sync failed", { pod: key, err }))
      .finally(() => {
        this.#syncing.delete(key);
        if (this.#again.delete(key)) this.#enqueue(key);
      });
    this.#syncing.set(key, run);
  }

  async #syncPod(key: string): Promise<void> {
    const pod = this.#o.pods.get(key);
    if (!pod || pod.spec?.nodeName !== this.nodeName) return;
    const uid = pod.metadata?.uid ?? "";
    this.#known.set(uid, pod);
    if (pod.metadata?.deletionTimestamp) {
      this.#killing.add(uid);
      try {
        await this.#o.runtime.killPod(pod, pod.metadata.deletionGracePeriodSeconds ?? 30);
      } finally {
        this.#killing.delete(uid);
      }
      this.#started.delete(uid);
      this.#known.delete(uid);
      await this.#o.client
        .delete(resourcePath(resources.pods, pod.metadata.namespace, pod.metadata.name), {
          gracePeriodSeconds: 0,
          preconditions: { uid },
        })
        .catch((err) => {
          if (!isStatusError(err, "NotFound") && !isStatusError(err, "Conflict")) throw err;
        });
      return;
    }
    const phase = pod.status?.phase;
    if (phase === "Succeeded" || phase === "Failed") {
      if (this.#o.runtime.stopPod) await this.#o.runtime.stopPod(pod);
      else await this.#o.runtime.killPod(pod, 0);
      return;
    }
    const runtimeStatus = await this.#o.runtime.syncPod(pod, this.#podCIDR);
    if (!this.#started.has(uid)) this.#started.set(uid, this.#clock.now());
    const status = podStatus({
      pod,
      runtime: runtimeStatus,
      hostIP: this.#o.node.internalIP,
      startTime: pod.status?.startTime ? Date.parse(pod.status.startTime) : this.#started.get(uid)!,
      now: this.#clock.now(),
    });
    if (sameStatus(pod.status, status)) return;
    // The resourceVersion makes the write conditional: conditions others wrote since our cached
    // copy (readiness gates, DisruptionTarget) are not overwritten; their update re-syncs the pod.
    await this.#o.client
      .patch(
        resourcePath(resources.pods, pod.metadata?.namespace, pod.metadata?.name, "status"),
        "merge",
        { metadata: { resourceVersion: pod.metadata?.resourceVersion }, status },
        undefined,
        // The new version comes back through the pod informer; parsing the reply is wasted.
        { discardResponse: true },
      )
      .catch((err) => {
        if (!isStatusError(err, "Conflict")) throw err;
        this.#log.debug("pod status changed meanwhile, will re-sync", { pod: keyOf(pod) });
      });
  }
}

function keyOf(pod: Pod): string {
  return `${pod.metadata?.namespace}/${pod.metadata?.name}`;
}

/**
 * Equal as JSON except for condition timestamps (a member that is undefined counts as absent;
 * object key order does not matter, array order does). Every pod's status is compared on every
 * sync, so this walks the two values instead of serializing both.
 */
export function sameStatus(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameStatus(a[i] ?? null, b[i] ?? null)) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  let present = 0;
  for (const k in x) {
    if (k === "lastTransitionTime" || k === "lastProbeTime" || x[k] === undefined) continue;
    present++;
    if (!sameStatus(x[k], y[k])) return false;
  }
  for (const k in y) {
    if (k === "lastTransitionTime" || k === "lastProbeTime" || y[k] === undefined) continue;
    present--;
  }
  return present === 0;
}
