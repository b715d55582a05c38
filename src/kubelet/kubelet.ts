/**
 * The kubelet: registers its Node, renews its Lease, keeps the Node status current, and converges
 * every pod bound to it through a PodRuntime, reporting pod status and finishing deletions. The
 * same code serves real (containerd) and simulated nodes; only the runtime differs.
 */
import type { Node } from "../api/generated/types.ts";
import type { EventRecorder } from "../client/event-recorder.ts";
import { resourcePath, resources } from "../client/resources.ts";
import type { RestClient } from "../client/rest-client.ts";
import { type Clock, realClock } from "../machinery/clock.ts";
import { type Logger, silentLogger } from "../machinery/log.ts";
import { isStatusError } from "../machinery/status.ts";
import { renewNodeLease } from "./lease.ts";
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
  readonly statusMs?: number;
  /** Every pod is re-synced this often (container exits, probes). */
  readonly resyncMs?: number;
}

const rfc3339 = (ms: number) => new Date(ms).toISOString().replace(/\.\d+Z$/, "Z");

export class Kubelet {
  readonly #o: KubeletOptions;
  readonly #clock: Clock;
  readonly #log: Logger;
  #nodeUid: string | undefined;
  #podCIDR: string | undefined;
  readonly #started = new Map<string, number>();
  readonly #syncing = new Map<string, Promise<void>>();
  readonly #again = new Set<string>();
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
    await this.#register();
    const unsubscribe = this.#o.pods.subscribe(this.nodeName, (key) => this.#enqueue(key));
    const timers = [
      this.#every(this.#o.heartbeatMs ?? 10_000, () => this.#renewLease()),
      this.#every(this.#o.statusMs ?? 60_000, () => this.#updateNodeStatus()),
      this.#every(this.#o.resyncMs ?? 10_000, () => {
        for (const pod of this.#o.pods.podsOn(this.nodeName)) this.#enqueue(keyOf(pod));
      }),
    ];
    await this.#renewLease();
    await new Promise<void>((resolve) =>
      signal.addEventListener("abort", () => resolve(), { once: true }),
    );
    this.#stopped = true;
    unsubscribe();
    for (const stop of timers) stop();
  }

  /** Re-syncs one pod soon (the runtime calls this when a container changes state). */
  notify(key: string): void {
    this.#enqueue(key);
  }

  #every(ms: number, fn: () => Promise<void> | void): () => void {
    let timer = this.#clock.after(ms, tick);
    const self = this;
    function tick() {
      if (self.#stopped) return;
      Promise.resolve(fn())
        .catch((err) => self.#log.warn("periodic task failed", { err }))
        .finally(() => {
          if (!self.#stopped) timer = self.#clock.after(ms, tick);
        });
    }
    return () => timer.cancel();
  }

  async #register(): Promise<void> {
    const { client, node } = this.#o;
    const ready = await this.#o.runtime.ready();
    const desired = nodeObject(node, ready, rfc3339(this.#clock.now()));
    const path = resourcePath(resources.nodes, "", node.name);
    let stored: Node;
    try {
      stored = await client.create<Node>(resourcePath(resources.nodes), desired);
      this.#log.info("registered node");
    } catch (err) {
      if (!isStatusError(err, "AlreadyExists")) throw err;
      const current = await client.get<Node>(path);
      const labels = { ...current.metadata?.labels, ...desired.metadata?.labels };
      await client.patch(path, "merge", { metadata: { labels } });
      stored = await client.patch<Node>(`${path}/status`, "merge", {
        status: {
          ...desired.status,
          conditions: mergeConditions(current.status?.conditions, desired.status!.conditions!),
        },
      });
    }
    this.#nodeUid = stored.metadata?.uid;
    this.#podCIDR = stored.spec?.podCIDR;
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

  async #updateNodeStatus(): Promise<void> {
    const path = resourcePath(resources.nodes, "", this.nodeName);
    const current = await this.#o.client.get<Node>(path);
    this.#podCIDR = current.spec?.podCIDR;
    const conditions = nodeConditions(await this.#o.runtime.ready(), rfc3339(this.#clock.now()));
    await this.#o.client.patch(`${path}/status`, "merge", {
      status: { conditions: mergeConditions(current.status?.conditions, conditions) },
    });
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
    if (pod.metadata?.deletionTimestamp) {
      await this.#o.runtime.killPod(pod, pod.metadata.deletionGracePeriodSeconds ?? 30);
      this.#started.delete(uid);
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
      await this.#o.runtime.killPod(pod, 0);
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
    await this.#o.client.patch(
      resourcePath(resources.pods, pod.metadata?.namespace, pod.metadata?.name, "status"),
      "merge",
      { status },
    );
  }
}

function keyOf(pod: Pod): string {
  return `${pod.metadata?.namespace}/${pod.metadata?.name}`;
}

/** Equal except for condition timestamps. */
function sameStatus(a: unknown, b: unknown): boolean {
  const strip = (s: unknown) =>
    JSON.stringify(s, (k, v) =>
      k === "lastTransitionTime" || k === "lastProbeTime" ? undefined : v,
    );
  return strip(a) === strip(b);
}
