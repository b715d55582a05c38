/**
 * The pod garbage collector (upstream `pkg/controller/podgc`). Every 20 s it force-deletes
 * (grace period 0) the pods nothing else will ever finish:
 * - orphans: pods bound to a Node that no longer exists — after the node has been missing for a
 *   40 s quarantine and a GET confirms it is gone — first marked Failed with a DisruptionTarget
 *   condition (`DeletionByPodGC`, "PodGC: node no longer exists"): a dead node's evicted pods
 *   otherwise stay Terminating for ever once its Node object is deleted;
 * - terminating pods on a NotReady node carrying the `node.kubernetes.io/out-of-service` taint
 *   (non-graceful node shutdown);
 * - terminating pods that were never scheduled;
 * - terminated (Succeeded/Failed) pods beyond `--terminated-pod-gc-threshold` (12,500), oldest
 *   first.
 * Time comes from the injected clock.
 */
import type { Node as NodeType, PodCondition, Pod as PodType } from "../../api/generated/types.ts";
import type { KubeObject } from "../../api/object.ts";
import type { Informer } from "../../client/informer.ts";
import { resourcePath, resources } from "../../client/resources.ts";
import { onAbort } from "../../machinery/abort.ts";
import { compareStrings } from "../../machinery/apply/go-json.ts";
import { isStatusError } from "../../machinery/status.ts";
import { formatTime } from "../../machinery/time.ts";
import type { Controller, ControllerContext, ControllerFactory } from "../context.ts";

type Node = NodeType & KubeObject;
type Pod = PodType & KubeObject;

/** Upstream's `gcCheckPeriod`. */
export const gcCheckPeriodMs = 20_000;
/** Upstream's `quarantineTime`: how long a node must be missing before its pods are orphans. */
export const quarantineMs = 40_000;
export const outOfServiceTaint = "node.kubernetes.io/out-of-service";

const isTerminated = (p: Pod) => p.status?.phase === "Succeeded" || p.status?.phase === "Failed";

export class PodGCController implements Controller {
  readonly name = "pod-garbage-collector";
  readonly #ctx: ControllerContext;
  readonly #pods: Informer<Pod>;
  readonly #nodes: Informer<Node>;
  /** Missing nodes → when they were first found missing. */
  readonly #missingSince = new Map<string, number>();

  constructor(ctx: ControllerContext) {
    this.#ctx = ctx;
    this.#pods = ctx.informers.informer<Pod>(resources.pods);
    this.#nodes = ctx.informers.informer<Node>(resources.nodes);
  }

  async run(signal: AbortSignal): Promise<void> {
    await Promise.all([this.#pods.synced(), this.#nodes.synced()]);
    await new Promise<void>((resolve) => {
      const tick = () => {
        if (signal.aborted) return resolve();
        this.gc()
          .catch((err) => this.#ctx.log.error("pod garbage collection failed", { err }))
          .finally(() => {
            if (signal.aborted) resolve();
            else this.#ctx.clock.after(gcCheckPeriodMs, tick);
          });
      };
      this.#ctx.clock.after(gcCheckPeriodMs, tick);
      onAbort(signal, () => resolve());
    });
  }

  /** One pass, in upstream's order. */
  async gc(): Promise<void> {
    const pods = this.#pods.list();
    const nodes = new Map(this.#nodes.list().map((n) => [n.metadata?.name ?? "", n]));
    const threshold = this.#ctx.settings.terminatedPodGCThreshold;
    if (threshold > 0) await this.#gcTerminated(pods.filter(isTerminated), threshold);
    await this.#gcTerminating(pods, nodes);
    await this.#gcOrphaned(pods, nodes);
    await this.#gcUnscheduledTerminating(pods);
  }

  async #gcTerminated(terminated: Pod[], threshold: number): Promise<void> {
    const excess = terminated.length - threshold;
    if (excess <= 0) return;
    const oldestFirst = [...terminated].sort((a, b) =>
      compareStrings(a.metadata?.creationTimestamp ?? "", b.metadata?.creationTimestamp ?? ""),
    );
    this.#ctx.log.info("garbage collecting terminated pods", { count: excess, threshold });
    for (const pod of oldestFirst.slice(0, excess)) await this.#markFailedAndDelete(pod);
  }

  async #gcTerminating(pods: Pod[], nodes: Map<string, Node>): Promise<void> {
    for (const pod of pods) {
      if (!pod.metadata?.deletionTimestamp || isTerminated(pod)) continue;
      const node = nodes.get(pod.spec?.nodeName ?? "");
      if (!node) continue;
      const ready = node.status?.conditions?.find((c) => c.type === "Ready")?.status === "True";
      const outOfService = (node.spec?.taints ?? []).some(
        (t) => t.key === outOfServiceTaint && t.effect === "NoExecute",
      );
      if (ready || !outOfService) continue;
      this.#ctx.log.info("deleting terminating pod on an out-of-service node", {
        pod: `${pod.metadata.namespace}/${pod.metadata.name}`,
        node: node.metadata?.name,
      });
      await this.#markFailedAndDelete(pod);
    }
  }

  /** `gcOrphaned`: quarantine nodes the cache lacks; confirm with the API; then their pods go. */
  async #gcOrphaned(pods: Pod[], nodes: Map<string, Node>): Promise<void> {
    const now = this.#ctx.clock.now();
    const missing = new Set<string>();
    for (const pod of pods) {
      const nodeName = pod.spec?.nodeName;
      if (nodeName && !nodes.has(nodeName)) missing.add(nodeName);
    }
    for (const name of this.#missingSince.keys()) {
      if (!missing.has(name)) this.#missingSince.delete(name);
    }
    const deleted = new Set<string>();
    for (const name of missing) {
      const since = this.#missingSince.get(name);
      if (since === undefined) {
        this.#missingSince.set(name, now);
        continue;
      }
      if (now - since < quarantineMs) continue;
      if (!(await this.#nodeExists(name))) deleted.add(name);
      else this.#missingSince.delete(name);
    }
    const condition: PodCondition = {
      type: "DisruptionTarget",
      status: "True",
      reason: "DeletionByPodGC",
      message: "PodGC: node no longer exists",
      lastTransitionTime: formatTime(now),
    };
    for (const pod of pods) {
      if (!deleted.has(pod.spec?.nodeName ?? "")) continue;
      this.#ctx.log.info("found orphaned pod assigned to a deleted node; deleting it", {
        pod: `${pod.metadata?.namespace}/${pod.metadata?.name}`,
        node: pod.spec?.nodeName,
      });
      await this.#markFailedAndDelete(pod, condition);
    }
    for (const name of deleted) this.#missingSince.delete(name);
  }

  async #gcUnscheduledTerminating(pods: Pod[]): Promise<void> {
    for (const pod of pods) {
      if (!pod.metadata?.deletionTimestamp || pod.spec?.nodeName) continue;
      await this.#markFailedAndDelete(pod);
    }
  }

  async #nodeExists(name: string): Promise<boolean> {
    try {
      await this.#ctx.client.get(resourcePath(resources.nodes, "", name));
      return true;
    } catch (err) {
      if (isStatusError(err, "NotFound")) return false;
      throw err;
    }
  }

  /** `markFailedAndDeletePodWithCondition`: a pod not yet terminal becomes Failed, then goes. */
  async #markFailedAndDelete(pod: Pod, condition?: PodCondition): Promise<void> {
    const { namespace = "", name = "", uid = "" } = pod.metadata ?? {};
    try {
      if (!isTerminated(pod)) {
        const conditions = (pod.status?.conditions ?? []).filter((c) => c.type !== condition?.type);
        if (condition) conditions.push(condition);
        await this.#ctx.client.patch(
          resourcePath(resources.pods, namespace, name, "status"),
          "merge",
          { status: { phase: "Failed", conditions } },
        );
      }
      await this.#ctx.client.delete(resourcePath(resources.pods, namespace, name), {
        gracePeriodSeconds: 0,
        preconditions: { uid },
      });
    } catch (err) {
      if (!isStatusError(err, "NotFound") && !isStatusError(err, "Conflict")) throw err;
    }
  }
}

export const podGCControllerFactory: ControllerFactory = {
  name: "pod-garbage-collector",
  create: (ctx) => new PodGCController(ctx),
};
