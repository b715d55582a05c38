/**
 * The StatefulSet controller (upstream `pkg/controller/statefulset`): informer handlers enqueue
 * the owning set's key; `sync(key)` claims the set's pods, works out its current and update
 * revisions, runs one pass of the ordered algorithm, writes status and trims history.
 */
import type {
  ControllerRevision,
  PersistentVolumeClaim,
  StatefulSet,
} from "../../api/generated/types.ts";
import type { KubeObject } from "../../api/object.ts";
import { runWorkers } from "../../client/controller.ts";
import type { Informer } from "../../client/informer.ts";
import { keyOf, splitKey } from "../../client/informer.ts";
import { resources } from "../../client/resources.ts";
import { WorkQueue } from "../../client/work-queue.ts";
import { selectorFromLabelSelector } from "../../machinery/labels.ts";
import { addControllerIndexes, claimCandidates } from "../common/controller-indexes.ts";
import { getControllerOf } from "../common/controller-ref.ts";
import { claimObjects } from "../common/controller-ref-manager.ts";
import type { Pod } from "../common/objects.ts";
import type { Controller, ControllerContext, ControllerFactory } from "../context.ts";
import { StatefulPodControl } from "./stateful-pod-control.ts";
import { updateStatefulSet } from "./stateful-set-control.ts";
import {
  getStatefulSetRevisions,
  listRevisions,
  truncateHistory,
} from "./stateful-set-revisions.ts";
import { updateStatefulSetStatus } from "./stateful-set-status.ts";
import { isMemberOf, msUntilAvailable, statefulSetKind } from "./stateful-set-utils.ts";

export class StatefulSetController implements Controller {
  readonly name = "statefulset";
  readonly #ctx: ControllerContext;
  readonly #queue: WorkQueue<string>;
  readonly #sets: Informer<StatefulSet>;
  readonly #pods: Informer<Pod>;
  readonly #revisions: Informer<ControllerRevision>;
  readonly #control: StatefulPodControl;

  constructor(ctx: ControllerContext) {
    this.#ctx = ctx;
    this.#queue = new WorkQueue({ clock: ctx.clock });
    this.#sets = ctx.informers.informer<StatefulSet>(resources.statefulsets);
    this.#pods = ctx.informers.informer<Pod>(resources.pods);
    addControllerIndexes(this.#pods);
    this.#revisions = ctx.informers.informer<ControllerRevision>(resources.controllerrevisions);
    const claims = ctx.informers.informer<PersistentVolumeClaim>(resources.persistentvolumeclaims);
    this.#control = new StatefulPodControl({ client: ctx.client, recorder: ctx.recorder, claims });
    const enqueueSet = (set: StatefulSet) => this.#queue.add(keyOf(set));
    this.#sets.addHandlers({
      onAdd: enqueueSet,
      onUpdate: (_, s) => enqueueSet(s),
      onDelete: enqueueSet,
    });
    this.#pods.addHandlers({
      onAdd: (pod) => this.#enqueueForPod(pod),
      onUpdate: (old, pod) => {
        const oldRef = getControllerOf(old);
        if (oldRef && oldRef.uid !== getControllerOf(pod)?.uid) this.#enqueueForPod(old);
        this.#enqueueForPod(pod);
      },
      onDelete: (pod) => this.#enqueueForPod(pod),
    });
  }

  /** The pod's controlling set, or for an orphan every set whose selector matches it. */
  #enqueueForPod(pod: Pod): void {
    const namespace = pod.metadata?.namespace ?? "";
    const ref = getControllerOf(pod);
    if (ref) {
      if (ref.kind !== statefulSetKind.kind) return;
      const set = this.#sets.get(namespace, ref.name);
      if (set?.metadata?.uid === ref.uid) this.#queue.add(keyOf(set));
      return;
    }
    for (const set of this.#sets.list(namespace)) {
      if (!isMemberOf(set, pod)) continue;
      try {
        if (selectorFromLabelSelector(set.spec?.selector).matches(pod.metadata?.labels ?? {})) {
          this.#queue.add(keyOf(set));
        }
      } catch {
        // A set with an invalid selector matches nothing.
      }
    }
  }

  async run(signal: AbortSignal): Promise<void> {
    await Promise.all([this.#sets.synced(), this.#pods.synced(), this.#revisions.synced()]);
    await runWorkers({
      queue: this.#queue,
      workers: 5,
      sync: (key) => this.sync(key),
      log: this.#ctx.log,
      signal,
    });
  }

  /** `sync`: level-triggered; safe to call for any key at any time. */
  async sync(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const set = this.#sets.get(namespace, name);
    if (!set) return;
    let selector: ReturnType<typeof selectorFromLabelSelector>;
    try {
      selector = selectorFromLabelSelector(set.spec?.selector);
    } catch (err) {
      this.#ctx.log.warn("invalid selector; not syncing", { key, err });
      return;
    }
    const { client } = this.#ctx;
    const revisions = await listRevisions({ client, set, all: this.#revisions.list(namespace) });
    const pods = await claimObjects(claimCandidates(this.#pods, set as KubeObject), {
      client,
      owner: set as KubeObject,
      ownerKind: statefulSetKind,
      ownerResource: resources.statefulsets,
      selector,
      resource: resources.pods,
      filter: (pod) => isMemberOf(set, pod),
    });
    await this.#syncStatefulSet(set, pods, revisions);
  }

  async #syncStatefulSet(set: StatefulSet, pods: Pod[], revisions: ControllerRevision[]) {
    const { client } = this.#ctx;
    const { current, update, collisionCount } = await getStatefulSetRevisions({
      client,
      set,
      revisions,
    });
    const now = () => this.#ctx.clock.now();
    const status = await updateStatefulSet({
      set,
      pods,
      current,
      update,
      collisionCount,
      control: this.#control,
      now,
    });
    await updateStatefulSetStatus(client, set, status);
    await truncateHistory({ client, set, pods, revisions, current, update });
    const minReady = set.spec?.minReadySeconds ?? 0;
    if (minReady > 0 && (status.availableReplicas ?? 0) !== (set.spec?.replicas ?? 1)) {
      const waits = pods
        .map((p) => msUntilAvailable(p, minReady, now()))
        .filter((ms): ms is number => ms !== undefined);
      this.#queue.addAfter(keyOf(set), waits.length > 0 ? Math.min(...waits) : minReady * 1000);
    }
  }
}

export const statefulSetControllerFactory: ControllerFactory = {
  name: "statefulset",
  create: (ctx) => new StatefulSetController(ctx),
};
