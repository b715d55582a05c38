/**
 * The taint manager (upstream `pkg/controller/tainteviction`): deletes pods from nodes with
 * NoExecute taints they do not tolerate, at once, or after the shortest `tolerationSeconds` of
 * the tolerations they rely on; pods tolerating forever stay. Pods without their own toleration
 * for the not-ready/unreachable taints get `settings.podEvictionTimeoutSeconds` (what the
 * DefaultTolerationSeconds admission plugin gives them upstream). Before deleting, the pod gets
 * a DisruptionTarget condition; events `TaintManagerEviction`. Time comes from the injected clock.
 */
import type { Node as NodeType, Pod as PodType, Taint } from "../../api/generated/types.ts";
import type { KubeObject } from "../../api/object.ts";
import { runWorkers } from "../../client/controller.ts";
import { type Informer, keyOf, splitKey } from "../../client/informer.ts";
import { resourcePath, resources } from "../../client/resources.ts";
import { WorkQueue } from "../../client/work-queue.ts";
import { onAbort } from "../../machinery/abort.ts";
import type { Timer } from "../../machinery/clock.ts";
import { isStatusError } from "../../machinery/status.ts";
import { formatTime } from "../../machinery/time.ts";
import type { Controller, ControllerContext, ControllerFactory } from "../context.ts";
import { PodsByNode } from "./pods-by-node.ts";
import { matchingTolerations, minTolerationSeconds, withDefaultTolerations } from "./taints.ts";

type Node = NodeType & KubeObject;
type Pod = PodType & KubeObject;

interface ScheduledEviction {
  /** When the pod's current toleration clock started (ms). */
  readonly start: number;
  timer: Timer | undefined;
}

const noExecuteTaints = (node: Node | undefined): Taint[] =>
  (node?.spec?.taints ?? []).filter((t) => t.effect === "NoExecute");

export class TaintEvictionController implements Controller {
  readonly name = "taint-eviction-controller";
  readonly #ctx: ControllerContext;
  readonly #queue = new WorkQueue<string>();
  readonly #podInformer: Informer<Pod>;
  readonly #nodes: Informer<Node>;
  readonly #pods: PodsByNode;
  readonly #scheduled = new Map<string, ScheduledEviction>();
  /**
   * Pods (key → uid) whose deletion was sent but is not in the cache yet: a sync in between (the
   * DisruptionTarget status write wakes one) must not evict them again.
   */
  readonly #evicting = new Map<string, string>();

  constructor(ctx: ControllerContext) {
    this.#ctx = ctx;
    this.#podInformer = ctx.informers.informer<Pod>(resources.pods);
    this.#nodes = ctx.informers.informer<Node>(resources.nodes);
    this.#pods = new PodsByNode(this.#podInformer);
    const enqueuePod = (p: Pod) => this.#queue.add(keyOf(p));
    this.#podInformer.addHandlers({
      onAdd: enqueuePod,
      onUpdate: (_, p) => enqueuePod(p),
      onDelete: enqueuePod,
    });
    const nodeChanged = (old: Node | undefined, node: Node) => {
      const before = JSON.stringify(noExecuteTaints(old));
      if (old && before === JSON.stringify(noExecuteTaints(node))) return;
      for (const pod of this.#pods.podsOn(node.metadata?.name ?? "")) enqueuePod(pod);
    };
    this.#nodes.addHandlers({
      onAdd: (n) => nodeChanged(undefined, n),
      onUpdate: nodeChanged,
      onDelete: (n) => nodeChanged(undefined, n),
    });
  }

  async run(signal: AbortSignal): Promise<void> {
    await Promise.all([this.#podInformer.synced(), this.#nodes.synced()]);
    onAbort(signal, () => {
      for (const s of this.#scheduled.values()) s.timer?.cancel();
    });
    await runWorkers({
      queue: this.#queue,
      workers: 4,
      sync: (key) => this.syncPod(key),
      log: this.#ctx.log,
      signal,
    });
  }

  #cancel(key: string, pod: Pod | undefined): void {
    const scheduled = this.#scheduled.get(key);
    if (!scheduled) return;
    scheduled.timer?.cancel();
    this.#scheduled.delete(key);
    if (pod) {
      this.#ctx.recorder.event(
        pod,
        "Normal",
        "TaintManagerEviction",
        `Cancelling deletion of Pod ${key}`,
      );
    }
  }

  /** `processPodOnNode`, level-triggered: evict now, later, or never. */
  async syncPod(key: string): Promise<void> {
    const pod = this.#podInformer.getByKey(key);
    if (!pod || pod.metadata?.deletionTimestamp || !pod.spec?.nodeName) {
      this.#evicting.delete(key);
      return this.#cancel(key, undefined);
    }
    if (this.#evicting.get(key) === pod.metadata?.uid) return;
    const taints = noExecuteTaints(this.#nodes.get("", pod.spec.nodeName));
    if (taints.length === 0) return this.#cancel(key, pod);
    const tolerations = withDefaultTolerations(
      pod.spec.tolerations ?? [],
      this.#ctx.settings.podEvictionTimeoutSeconds,
    );
    const { allTolerated, used } = matchingTolerations(taints, tolerations);
    const now = this.#ctx.clock.now();
    if (!allTolerated) return this.#evict(key, pod);
    const seconds = minTolerationSeconds(used);
    if (seconds < 0) return this.#cancel(key, pod);
    const start = this.#startOf(key, taints, now);
    const deadline = start + seconds * 1000;
    if (deadline <= now) return this.#evict(key, pod);
    const scheduled = this.#scheduled.get(key) ?? { start, timer: undefined };
    scheduled.timer?.cancel();
    scheduled.timer = this.#ctx.clock.after(deadline - now, () => this.#queue.add(key));
    this.#scheduled.set(key, scheduled);
  }

  /**
   * When the toleration clock started: an eviction already scheduled keeps its start; else the
   * latest `timeAdded` of the taints (restart-safe), or now for taints without one.
   */
  #startOf(key: string, taints: readonly Taint[], now: number): number {
    const scheduled = this.#scheduled.get(key);
    if (scheduled) return scheduled.start;
    const added = taints.map((t) => (t.timeAdded ? Date.parse(t.timeAdded) : now));
    return Math.min(now, Math.max(...added));
  }

  async #evict(key: string, pod: Pod): Promise<void> {
    this.#scheduled.get(key)?.timer?.cancel();
    this.#scheduled.delete(key);
    const { namespace, name } = splitKey(key);
    this.#ctx.log.info("deleting pod", { controller: this.name, pod: key });
    this.#ctx.recorder.event(
      pod,
      "Normal",
      "TaintManagerEviction",
      `Marking for deletion Pod ${key}`,
    );
    this.#evicting.set(key, pod.metadata?.uid ?? "");
    try {
      await this.#addDisruptionCondition(pod);
      await this.#ctx.client.delete(resourcePath(resources.pods, namespace, name), {
        preconditions: { uid: pod.metadata?.uid ?? "" },
      });
    } catch (err) {
      if (isStatusError(err, "NotFound")) return;
      this.#evicting.delete(key);
      throw err;
    }
  }

  async #addDisruptionCondition(pod: Pod): Promise<void> {
    const conditions = structuredClone(pod.status?.conditions ?? []);
    const existing = conditions.find((c) => c.type === "DisruptionTarget");
    if (existing?.status === "True" && existing.reason === "DeletionByTaintManager") return;
    const condition = {
      type: "DisruptionTarget",
      status: "True",
      reason: "DeletionByTaintManager",
      message: "Taint manager: deleting due to NoExecute taint",
      lastTransitionTime: formatTime(this.#ctx.clock.now()),
    };
    if (existing) Object.assign(existing, condition);
    else conditions.push(condition);
    const { namespace = "", name = "" } = pod.metadata ?? {};
    const next: Pod = { ...pod, status: { ...pod.status, conditions } };
    await this.#ctx.client.update(resourcePath(resources.pods, namespace, name, "status"), next);
  }
}

export const taintEvictionControllerFactory: ControllerFactory = {
  name: "taint-eviction-controller",
  create: (ctx) => new TaintEvictionController(ctx),
};
