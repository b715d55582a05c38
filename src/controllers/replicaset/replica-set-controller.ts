/**
 * The ReplicaSet controller (upstream `pkg/controller/replicaset`): keeps `spec.replicas` pods
 * running for each ReplicaSet. Informer handlers only enqueue ReplicaSet keys and record
 * observed pod creations and deletions in the expectations; `syncReplicaSet` does the work.
 * `newBaseController` runs the same controller for another kind through a `ReplicaSetKindAdapter`
 * (the ReplicationController manager, `../replication/`).
 */

import { runWorkers } from "../../client/controller.ts";
import { keyOf } from "../../client/informer.ts";
import { resources } from "../../client/resources.ts";
import { WorkQueue } from "../../client/work-queue.ts";
import { selectorFromLabelSelector } from "../../machinery/labels.ts";
import { isStatusError } from "../../machinery/status.ts";
import { addControllerIndexes } from "../common/controller-indexes.ts";
import { getControllerOf, resolveControllerRef } from "../common/controller-ref.ts";
import { ControllerExpectations } from "../common/expectations.ts";
import type { Pod, ReplicaSet } from "../common/objects.ts";
import { isPodReady, podKey } from "../common/pod-utils.ts";
import { ReplacedVersions } from "../common/replaced-versions.ts";
import { SyncPacer } from "../common/sync-pacer.ts";
import type { Controller, ControllerContext, ControllerFactory } from "../context.ts";
import {
  type ReplicaSetKindAdapter,
  type ReplicaSetLister,
  replicaSetAdapter,
} from "./kind-adapter.ts";
import {
  defaultBurstReplicas,
  type ReplicaSetSyncDeps,
  syncReplicaSet,
} from "./sync-replica-set.ts";

/** Upstream `--concurrent-replicaset-syncs`. */
export const defaultReplicaSetWorkers = 5;

export interface ReplicaSetControllerOptions {
  readonly workers?: number;
  readonly burstReplicas?: number;
}

/**
 * Upstream `NewBaseController`: the controller for `adapter`'s kind (ReplicaSets here, and
 * ReplicationControllers for `../replication/`).
 */
export function newBaseController(
  ctx: ControllerContext,
  adapter: ReplicaSetKindAdapter,
  options: ReplicaSetControllerOptions = {},
): Controller {
  const rsInformer = adapter.informer(ctx.informers);
  const podInformer = ctx.informers.informer<Pod>(resources.pods);
  addControllerIndexes(podInformer);
  const queue = new WorkQueue<string>({ clock: ctx.clock });
  const deps: ReplicaSetSyncDeps = {
    client: ctx.client,
    recorder: ctx.recorder,
    clock: ctx.clock,
    log: ctx.log,
    adapter,
    rsInformer,
    podInformer,
    expectations: new ControllerExpectations(ctx.clock),
    queue,
    burstReplicas: options.burstReplicas ?? defaultBurstReplicas,
    statusReplaced: new ReplacedVersions(),
    pacer: new SyncPacer(queue, ctx.clock),
  };
  addReplicaSetHandlers(deps);
  addPodHandlers(deps);
  return {
    name: adapter.name,
    async run(signal) {
      await Promise.all([rsInformer.synced(), podInformer.synced()]);
      await runWorkers({
        queue,
        workers: options.workers ?? defaultReplicaSetWorkers,
        sync: (key) => syncReplicaSet(deps, key).catch(ignoreNotFound),
        log: ctx.log,
        signal,
      });
    },
  };
}

export function newReplicaSetController(
  ctx: ControllerContext,
  options: ReplicaSetControllerOptions = {},
): Controller {
  return newBaseController(ctx, replicaSetAdapter, options);
}

export const replicaSetControllerFactory: ControllerFactory = {
  name: "replicaset",
  create: (ctx) => newReplicaSetController(ctx),
};

/** The ReplicaSet went away mid-sync: its delete event requeues it anyway. */
function ignoreNotFound(err: unknown): void {
  if (!isStatusError(err, "NotFound")) throw err;
}

function addReplicaSetHandlers(deps: ReplicaSetSyncDeps): void {
  deps.rsInformer.addHandlers({
    onAdd: (rs) => deps.queue.add(keyOf(rs)),
    onUpdate: (old, rs) => {
      // The same spec (its own status write, mostly): paced like pod changes, see SyncPacer.
      if (old.metadata?.generation === rs.metadata?.generation) deps.pacer.add(keyOf(rs));
      else deps.queue.add(keyOf(rs));
    },
    onDelete: (rs) => {
      const key = keyOf(rs);
      // A new ReplicaSet of the same name starts clean.
      deps.expectations.deleteExpectations(key);
      deps.queue.add(key);
    },
  });
}

function addPodHandlers(deps: ReplicaSetSyncDeps): void {
  const owner = (pod: Pod, ref = getControllerOf(pod)) =>
    resolveControllerRef(ref, deps.adapter.kind, (name) =>
      deps.rsInformer.get(pod.metadata?.namespace ?? "", name),
    );
  const enqueueMatching = (pod: Pod) => {
    for (const rs of getPodReplicaSets(deps.rsInformer, pod)) deps.queue.add(keyOf(rs));
  };
  const deletePod = (pod: Pod) => {
    const rs = owner(pod);
    if (!rs) return;
    const key = keyOf(rs);
    deps.expectations.deletionObserved(key, podKey(pod));
    deps.queue.add(key);
  };
  deps.podInformer.addHandlers({
    onAdd(pod) {
      if (pod.metadata?.deletionTimestamp) return deletePod(pod);
      if (getControllerOf(pod)) {
        const rs = owner(pod);
        if (!rs) return;
        const key = keyOf(rs);
        deps.expectations.creationObserved(key);
        deps.queue.add(key);
        return;
      }
      // An orphan: let every matching ReplicaSet consider adopting it.
      enqueueMatching(pod);
    },
    onUpdate(old, pod) {
      const labelChanged =
        JSON.stringify(old.metadata?.labels ?? {}) !== JSON.stringify(pod.metadata?.labels ?? {});
      if (pod.metadata?.deletionTimestamp) {
        deletePod(pod);
        if (labelChanged) deletePod(old);
        return;
      }
      const curRef = getControllerOf(pod);
      const oldRef = getControllerOf(old);
      const refChanged = JSON.stringify(curRef) !== JSON.stringify(oldRef);
      if (refChanged && oldRef) {
        const previous = owner(old, oldRef);
        if (previous) deps.queue.add(keyOf(previous));
      }
      if (curRef) {
        const rs = owner(pod, curRef);
        if (!rs) return;
        // A change of a pod it controls (its status, mostly): paced, see SyncPacer.
        deps.pacer.add(keyOf(rs));
        const minReadySeconds = rs.spec?.minReadySeconds ?? 0;
        if (!isPodReady(old) && isPodReady(pod) && minReadySeconds > 0) {
          // Recount availability once the pod has been ready long enough (+1 s for skew).
          deps.queue.addAfter(keyOf(rs), minReadySeconds * 1000 + 1000);
        }
        return;
      }
      if (labelChanged || refChanged) enqueueMatching(pod);
    },
    onDelete: deletePod,
  });
}

/** ReplicaSets in the pod's namespace whose (non-empty) selector matches its labels. */
export function getPodReplicaSets(rsInformer: ReplicaSetLister, pod: Pod): ReplicaSet[] {
  const labels = pod.metadata?.labels;
  if (!labels) return [];
  return rsInformer.list(pod.metadata?.namespace ?? "").filter((rs) => {
    try {
      const selector = selectorFromLabelSelector(rs.spec?.selector);
      return !selector.isEmpty() && selector.matches(labels);
    } catch {
      return false;
    }
  });
}
