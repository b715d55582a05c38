/**
 * The DaemonSet controller (upstream `pkg/controller/daemon`): handlers enqueue the DaemonSets a
 * pod, node or revision change concerns; `sync(key)` finds the current revision, places one pod
 * per eligible node (pinned by node affinity for the scheduler, never by spec.nodeName), rolls
 * out template changes, trims history and writes status.
 */
import type { ControllerRevision, DaemonSet, Node } from "../../api/generated/types.ts";
import type { KubeObject } from "../../api/object.ts";
import { runWorkers } from "../../client/controller.ts";
import { type Informer, keyOf, splitKey } from "../../client/informer.ts";
import { resources } from "../../client/resources.ts";
import { WorkQueue } from "../../client/work-queue.ts";
import { onAbort } from "../../machinery/abort.ts";
import { selectorFromLabelSelector } from "../../machinery/labels.ts";
import { addControllerIndexes, claimCandidates } from "../common/controller-indexes.ts";
import { claimObjects } from "../common/controller-ref-manager.ts";
import { ControllerExpectations } from "../common/expectations.ts";
import type { Pod } from "../common/objects.ts";
import type { Controller, ControllerContext, ControllerFactory } from "../context.ts";
import { DaemonSetEventHandlers } from "./daemon-set-handlers.ts";
import { cleanupHistory, constructHistory } from "./daemon-set-history.ts";
import { type DaemonSetDeps, manage, type NodeToDaemonPods } from "./daemon-set-manage.ts";
import { computeDaemonSetStatus, storeDaemonSetStatus } from "./daemon-set-status.ts";
import { rollingUpdate } from "./daemon-set-update.ts";
import { daemonSetKind, daemonSetUniqueLabel, getTargetNodeName } from "./daemon-set-util.ts";
import { FailedPodsBackoff } from "./failed-pods-backoff.ts";

export class DaemonSetController implements Controller {
  readonly name = "daemonset";
  readonly #ctx: ControllerContext;
  readonly #queue: WorkQueue<string>;
  readonly #sets: Informer<DaemonSet>;
  readonly #pods: Informer<Pod>;
  readonly #nodes: Informer<Node>;
  readonly #revisions: Informer<ControllerRevision & KubeObject>;
  readonly #deps: DaemonSetDeps;

  constructor(ctx: ControllerContext) {
    this.#ctx = ctx;
    this.#queue = new WorkQueue({ clock: ctx.clock });
    this.#sets = ctx.informers.informer<DaemonSet>(resources.daemonsets);
    this.#pods = ctx.informers.informer<Pod>(resources.pods);
    addControllerIndexes(this.#pods);
    this.#nodes = ctx.informers.informer<Node>(resources.nodes);
    this.#revisions = ctx.informers.informer<ControllerRevision & KubeObject>(
      resources.controllerrevisions,
    );
    this.#deps = {
      client: ctx.client,
      recorder: ctx.recorder,
      creations: new ControllerExpectations(ctx.clock),
      deletions: new ControllerExpectations(ctx.clock),
      backoff: new FailedPodsBackoff(ctx.clock),
      enqueueAfter: (ds, ms) => this.#queue.addAfter(keyOf(ds), ms),
    };
    new DaemonSetEventHandlers({
      queue: this.#queue,
      sets: this.#sets,
      deps: this.#deps,
    }).register({ pods: this.#pods, nodes: this.#nodes, revisions: this.#revisions });
  }

  async run(signal: AbortSignal): Promise<void> {
    await Promise.all(
      [this.#sets, this.#pods, this.#nodes, this.#revisions].map((i) => i.synced()),
    );
    const gc = setInterval(() => this.#deps.backoff.gc(), 60_000);
    gc.unref();
    onAbort(signal, () => clearInterval(gc));
    await runWorkers({
      queue: this.#queue,
      workers: 2,
      sync: (k) => this.sync(k),
      log: this.#ctx.log,
      signal,
    });
  }

  /** `syncDaemonSet`. */
  async sync(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const ds = this.#sets.get(namespace, name);
    if (!ds) {
      this.#deps.creations.deleteExpectations(key);
      this.#deps.deletions.deleteExpectations(key);
      return;
    }
    if (ds.metadata?.deletionTimestamp) return;
    const selector = selectorFromLabelSelector(ds.spec?.selector);
    if (selector.isEmpty()) {
      const msg = "This daemon set is selecting all pods. A non-empty selector is required.";
      this.#ctx.recorder.event(ds as KubeObject, "Warning", "SelectingAll", msg);
      return;
    }
    const { client } = this.#ctx;
    const nodes = this.#nodes.list();
    const { cur, old } = await constructHistory(client, ds, this.#revisions.list(namespace));
    const hash = cur.metadata?.labels?.[daemonSetUniqueLabel] ?? "";
    const pods = await claimObjects(claimCandidates(this.#pods, ds as KubeObject), {
      client,
      owner: ds as KubeObject,
      ownerKind: daemonSetKind,
      ownerResource: resources.daemonsets,
      selector,
      resource: resources.pods,
    });
    const nodeToDaemonPods = mapPodsToNodes(pods);
    const now = this.#ctx.clock.now();
    const status = () => computeDaemonSetStatus({ ds, nodes, nodeToDaemonPods, hash, now });
    if (!this.#satisfied(key)) {
      await storeDaemonSetStatus({ client, ds, status: status(), updateObservedGeneration: false });
      return;
    }
    try {
      const deps = this.#deps;
      await manage({ deps, ds, nodes, nodeToDaemonPods, hash });
      if (this.#satisfied(key) && ds.spec?.updateStrategy?.type === "RollingUpdate") {
        await rollingUpdate({ deps, ds, nodes, nodeToDaemonPods, hash, now });
      }
      await cleanupHistory({ client, ds, old, pods });
    } finally {
      await storeDaemonSetStatus({ client, ds, status: status(), updateObservedGeneration: true });
    }
    const computed = status();
    const minReady = ds.spec?.minReadySeconds ?? 0;
    if (minReady > 0 && computed.numberReady !== computed.numberAvailable) {
      this.#queue.addAfter(key, minReady * 1000);
    }
  }

  #satisfied(key: string): boolean {
    return (
      this.#deps.creations.satisfiedExpectations(key) &&
      this.#deps.deletions.satisfiedExpectations(key)
    );
  }
}

/** `getNodesToDaemonPods`: claimed pods by target node, minus finished pods being deleted. */
function mapPodsToNodes(pods: readonly Pod[]): NodeToDaemonPods {
  const map: NodeToDaemonPods = new Map();
  for (const pod of pods) {
    const phase = pod.status?.phase;
    if (pod.metadata?.deletionTimestamp && (phase === "Failed" || phase === "Succeeded")) continue;
    const node = getTargetNodeName(pod);
    if (node === undefined) continue;
    const list = map.get(node) ?? [];
    list.push(pod);
    map.set(node, list);
  }
  return map;
}

export const daemonSetControllerFactory: ControllerFactory = {
  name: "daemonset",
  create: (ctx) => new DaemonSetController(ctx),
};
