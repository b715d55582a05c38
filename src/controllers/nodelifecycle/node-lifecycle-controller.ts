/**
 * The node lifecycle controller (upstream `pkg/controller/nodelifecycle`): watches Nodes and
 * their Leases in `kube-node-lease`. A node whose kubelet has not renewed its Lease (nor posted
 * a Ready heartbeat) for the grace period gets Ready and the pressure conditions set to Unknown,
 * its pods marked not Ready, and a NodeNotReady event. Taints follow the conditions: the
 * `unreachable`/`not-ready` NoSchedule and NoExecute taints (with timeAdded) and the other
 * condition taints, removed when the node is healthy again. Time comes from the injected clock.
 */
import type {
  Lease as LeaseType,
  Node as NodeType,
  Pod as PodType,
} from "../../api/generated/types.ts";
import type { KubeObject } from "../../api/object.ts";
import { runWorkers } from "../../client/controller.ts";
import type { Informer } from "../../client/informer.ts";
import { resourcePath, resources } from "../../client/resources.ts";
import { WorkQueue } from "../../client/work-queue.ts";
import { onAbort } from "../../machinery/abort.ts";
import type { Timer } from "../../machinery/clock.ts";
import { formatTime } from "../../machinery/time.ts";
import type { Controller, ControllerContext, ControllerFactory } from "../context.ts";
import {
  type NodeHealth,
  observeHealth,
  readyCondition,
  unknownConditions,
} from "./node-health.ts";
import { PodsByNode } from "./pods-by-node.ts";
import { desiredTaints } from "./taints.ts";

type Lease = LeaseType & KubeObject;
type Node = NodeType & KubeObject;
type Pod = PodType & KubeObject;

export const nodeLeaseNamespace = "kube-node-lease";
export class NodeLifecycleController implements Controller {
  readonly name = "node-lifecycle-controller";
  readonly #ctx: ControllerContext;
  readonly #queue = new WorkQueue<string>();
  readonly #nodes: Informer<Node>;
  readonly #leases: Informer<Lease>;
  readonly #pods: PodsByNode;
  readonly #health = new Map<string, NodeHealth>();
  /** Nodes this controller knows (name → uid), for RegisteredNode and RemovingNode events. */
  readonly #known = new Map<string, string>();
  readonly #timers = new Map<string, Timer>();
  /** Nodes whose pods still have to be marked not Ready (a previous attempt failed). */
  readonly #podsToMark = new Set<string>();

  constructor(ctx: ControllerContext) {
    this.#ctx = ctx;
    this.#nodes = ctx.informers.informer<Node>(resources.nodes);
    this.#leases = ctx.informers.informer<Lease>(resources.leases);
    this.#pods = new PodsByNode(ctx.informers.informer<Pod>(resources.pods));
    const enqueue = (n: Node) => this.#queue.add(n.metadata?.name ?? "");
    this.#nodes.addHandlers({ onAdd: enqueue, onUpdate: (_, n) => enqueue(n), onDelete: enqueue });
    const leaseChanged = (l: Lease) => {
      if (l.metadata?.namespace === nodeLeaseNamespace) this.#queue.add(l.metadata.name ?? "");
    };
    this.#leases.addHandlers({ onAdd: leaseChanged, onUpdate: (_, l) => leaseChanged(l) });
  }

  async run(signal: AbortSignal): Promise<void> {
    await Promise.all([this.#nodes.synced(), this.#leases.synced()]);
    const nodeMonitorPeriodMs = this.#ctx.settings.nodeMonitorPeriodSeconds * 1000;
    const monitor = () => {
      if (signal.aborted) return;
      for (const node of this.#nodes.list()) this.#queue.add(node.metadata?.name ?? "");
      this.#ctx.clock.after(nodeMonitorPeriodMs, monitor);
    };
    this.#ctx.clock.after(nodeMonitorPeriodMs, monitor);
    onAbort(signal, () => {
      for (const t of this.#timers.values()) t.cancel();
    });
    await runWorkers({
      queue: this.#queue,
      workers: 4,
      sync: (key) => this.syncNode(key),
      log: this.#ctx.log,
      signal,
    });
  }

  /** Checks to be made again when the node's grace period would run out. */
  #recheckAt(name: string, at: number): void {
    this.#timers.get(name)?.cancel();
    const delay = Math.max(0, at - this.#ctx.clock.now()) + 1;
    this.#timers.set(
      name,
      this.#ctx.clock.after(delay, () => this.#queue.add(name)),
    );
  }

  async syncNode(name: string): Promise<void> {
    const node = this.#nodes.get("", name);
    if (!node) {
      const uid = this.#known.get(name);
      if (uid !== undefined)
        this.#nodeEvent(name, uid, "RemovingNode", "Removing Node %s from Controller");
      this.#known.delete(name);
      this.#health.delete(name);
      this.#timers.get(name)?.cancel();
      this.#timers.delete(name);
      this.#podsToMark.delete(name);
      return;
    }
    if (!this.#known.has(name)) {
      this.#known.set(name, node.metadata?.uid ?? "");
      this.#nodeEvent(
        name,
        node.metadata?.uid ?? "",
        "RegisteredNode",
        "Registered Node %s in Controller",
      );
    }
    const now = this.#ctx.clock.now();
    const observedReady = readyCondition(node)?.status;
    const health = observeHealth(
      this.#health.get(name),
      node,
      this.#leases.get(nodeLeaseNamespace, name),
      now,
    );
    this.#health.set(name, health);
    const grace = observedReady
      ? this.#ctx.settings.nodeMonitorGracePeriodSeconds * 1000
      : this.#ctx.settings.nodeStartupGracePeriodSeconds * 1000;
    let current = node;
    if (now > health.probeTimestamp + grace) {
      current = await this.#markUnknown(node, now);
    } else {
      this.#recheckAt(name, health.probeTimestamp + grace);
    }
    await this.#updateTaints(current, now);
    const currentReady = readyCondition(current)?.status;
    if (currentReady !== "True" && observedReady === "True") {
      this.#ctx.recorder.event(
        current,
        "Normal",
        "NodeNotReady",
        `Node ${name} status is now: NodeNotReady`,
      );
      this.#podsToMark.add(name);
    }
    if (this.#podsToMark.has(name) && currentReady !== "True") {
      await this.#markPodsNotReady(name);
    }
    this.#podsToMark.delete(name);
  }

  /** Upstream's `RecordNodeEvent`: "Node <name> event: <what happened>". */
  #nodeEvent(name: string, uid: string, reason: string, what: string): void {
    const ref = { apiVersion: "v1", kind: "Node", metadata: { name, uid } };
    this.#ctx.recorder.event(
      ref,
      "Normal",
      reason,
      `Node ${name} event: ${what.replace("%s", name)}`,
    );
  }

  async #markUnknown(node: Node, now: number): Promise<Node> {
    const conditions = unknownConditions(node, formatTime(now));
    if (!conditions) return node;
    const name = node.metadata?.name ?? "";
    this.#ctx.log.info("node stopped posting status; marking it Unknown", { node: name });
    const next: Node = { ...node, status: { ...node.status, conditions } };
    return this.#ctx.client.update<Node>(resourcePath(resources.nodes, "", name, "status"), next);
  }

  async #updateTaints(node: Node, now: number): Promise<void> {
    const taints = desiredTaints(node, formatTime(now));
    const current = node.spec?.taints ?? [];
    if (JSON.stringify(taints) === JSON.stringify(current)) return;
    const next: Node = { ...node, spec: { ...node.spec } };
    if (taints.length > 0) next.spec!.taints = taints;
    else delete next.spec!.taints;
    // A stale resourceVersion fails with Conflict and the node is synced again.
    await this.#ctx.client.update(
      resourcePath(resources.nodes, "", node.metadata?.name ?? ""),
      next,
    );
  }

  /** `MarkPodsNotReady`: the Ready condition of every pod on the node becomes False. */
  async #markPodsNotReady(nodeName: string): Promise<void> {
    const now = formatTime(this.#ctx.clock.now());
    for (const pod of this.#pods.podsOn(nodeName)) {
      const conditions = structuredClone(pod.status?.conditions ?? []);
      const ready = conditions.find((c) => c.type === "Ready");
      if (!ready || ready.status === "False") continue;
      ready.status = "False";
      ready.lastTransitionTime = now;
      const { namespace = "", name = "" } = pod.metadata ?? {};
      const next: Pod = { ...pod, status: { ...pod.status, conditions } };
      await this.#ctx.client.update(resourcePath(resources.pods, namespace, name, "status"), next);
      this.#ctx.recorder.event(pod, "Warning", "NodeNotReady", "Node is not ready");
    }
  }
}

export const nodeLifecycleControllerFactory: ControllerFactory = {
  name: "node-lifecycle-controller",
  eventSource: "node-controller",
  create: (ctx) => new NodeLifecycleController(ctx),
};
