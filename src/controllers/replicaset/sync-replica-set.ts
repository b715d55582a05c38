/**
 * `syncReplicaSet`: one level-triggered pass over a ReplicaSet. Claims the active pods its
 * selector matches (adopting orphans, releasing pods that stopped matching), creates or deletes
 * pods to reach `spec.replicas` once the informer has seen the previous round's changes
 * (expectations), and writes the status.
 */

import type { EventRecorder } from "../../client/event-recorder.ts";
import { type Informer, splitKey } from "../../client/informer.ts";
import { resources } from "../../client/resources.ts";
import type { RestClient } from "../../client/rest-client.ts";
import type { WorkQueue } from "../../client/work-queue.ts";
import type { Clock } from "../../machinery/clock.ts";
import { type Selector, selectorFromLabelSelector } from "../../machinery/labels.ts";
import type { Logger } from "../../machinery/log.ts";
import { isStatusError } from "../../machinery/status.ts";
import { claimCandidates } from "../common/controller-indexes.ts";
import { getControllerOf, newControllerRef } from "../common/controller-ref.ts";
import { claimObjects } from "../common/controller-ref-manager.ts";
import type { ControllerExpectations } from "../common/expectations.ts";
import { informerSelector } from "../common/informer-selectors.ts";
import type { Pod, ReplicaSet } from "../common/objects.ts";
import { createPod, deletePod, isNamespaceTerminating } from "../common/pod-control.ts";
import { isPodActive, podKey } from "../common/pod-utils.ts";
import type { ReplacedVersions } from "../common/replaced-versions.ts";
import { slowStartBatch, slowStartInitialBatchSize } from "../common/slow-start.ts";
import type { SyncPacer } from "../common/sync-pacer.ts";
import type { ReplicaSetKindAdapter, ReplicaSetLister } from "./kind-adapter.ts";
import { getPodsToDelete } from "./pods-to-delete.ts";
import { calculateStatus, updateReplicaSetStatus } from "./replica-set-status.ts";

export { replicaSetKind } from "./kind-adapter.ts";

/** Upstream `BurstReplicas`: at most this many creations or deletions per sync. */
export const defaultBurstReplicas = 500;

export interface ReplicaSetSyncDeps {
  readonly client: RestClient;
  readonly recorder: EventRecorder;
  readonly clock: Clock;
  readonly log: Logger;
  /** The kind managed: ReplicaSets, or ReplicationControllers seen as ReplicaSets. */
  readonly adapter: ReplicaSetKindAdapter;
  readonly rsInformer: ReplicaSetLister;
  readonly podInformer: Informer<Pod>;
  readonly expectations: ControllerExpectations;
  readonly queue: WorkQueue<string>;
  readonly burstReplicas: number;
  /**
   * Per ReplicaSet key, the resourceVersion its last status write replaced. While the informer
   * still shows that version, a sync would act on a copy it knows is old and its status write
   * would fail with a conflict: it waits, and the event of the write itself brings the ReplicaSet
   * back. (Skipping only the write made every pod event a full sync over all the pods: the
   * write's round trip had been what let pod events pile up into one sync.)
   */
  readonly statusReplaced: ReplacedVersions;
  /** Paces the syncs pod updates ask for by what the pass over the pods cost. */
  readonly pacer: SyncPacer;
}

export async function syncReplicaSet(deps: ReplicaSetSyncDeps, key: string): Promise<void> {
  const { namespace, name } = splitKey(key);
  const cached = deps.rsInformer.get(namespace, name);
  if (!cached) {
    deps.expectations.deleteExpectations(key);
    deps.statusReplaced.delete(key);
    deps.pacer.forget(key);
    return;
  }
  const version = cached.metadata?.resourceVersion;
  if (deps.statusReplaced.isStale(key, version)) return;
  const rsNeedsSync = deps.expectations.satisfiedExpectations(key);
  let selector: Selector;
  try {
    selector = informerSelector(cached.spec?.selector);
  } catch (err) {
    deps.log.error("error converting pod selector to selector", { key, err });
    return;
  }
  const started = deps.clock.now();
  // Only the pods it controls and the namespace's orphans: claiming skips every other pod.
  const active = claimCandidates(deps.podInformer, cached).filter(isPodActive);
  const filteredPods = await claimObjects(active, {
    client: deps.client,
    owner: cached,
    ownerKind: deps.adapter.kind,
    ownerResource: deps.adapter.resource,
    selector,
    resource: resources.pods,
  });
  let passMs = deps.clock.now() - started;
  let manageReplicasErr: unknown;
  if (rsNeedsSync && !cached.metadata?.deletionTimestamp) {
    try {
      await manageReplicas(deps, filteredPods, cached, key);
    } catch (err) {
      manageReplicasErr = err;
    }
  }
  const rs = structuredClone(cached);
  const now = deps.clock.now();
  const newStatus = calculateStatus(rs, filteredPods, manageReplicasErr, now);
  passMs += deps.clock.now() - now;
  deps.pacer.synced(key, passMs);
  const updated = await updateReplicaSetStatus(deps, rs, newStatus);
  if (updated !== rs) deps.statusReplaced.replaced(key, version, updated.metadata?.resourceVersion);
  const replicas = updated.spec?.replicas ?? 1;
  const minReadySeconds = updated.spec?.minReadySeconds ?? 0;
  if (
    manageReplicasErr === undefined &&
    minReadySeconds > 0 &&
    (updated.status?.readyReplicas ?? 0) === replicas &&
    (updated.status?.availableReplicas ?? 0) !== replicas
  ) {
    deps.queue.addAfter(key, minReadySeconds * 1000);
  }
  if (manageReplicasErr !== undefined) throw manageReplicasErr;
}

/** Creates or deletes at most `burstReplicas` pods to move towards `spec.replicas`. */
async function manageReplicas(
  deps: ReplicaSetSyncDeps,
  filteredPods: readonly Pod[],
  rs: ReplicaSet,
  key: string,
): Promise<void> {
  const diff = filteredPods.length - (rs.spec?.replicas ?? 1);
  if (diff < 0) await createPods(deps, rs, key, Math.min(-diff, deps.burstReplicas));
  else if (diff > 0) {
    const count = Math.min(diff, deps.burstReplicas);
    const related = getIndirectlyRelatedPods(deps, rs);
    const toDelete = getPodsToDelete(filteredPods, related, count, deps.clock.now());
    await deletePods(deps, rs, key, toDelete);
  }
}

async function createPods(
  deps: ReplicaSetSyncDeps,
  rs: ReplicaSet,
  key: string,
  count: number,
): Promise<void> {
  deps.expectations.expectCreations(key, count);
  const controllerRef = newControllerRef(rs, deps.adapter.kind);
  const namespace = rs.metadata?.namespace ?? "";
  const template = rs.spec?.template;
  const { successes, error } = await slowStartBatch(count, slowStartInitialBatchSize, async () => {
    try {
      await createPod(deps, { namespace, template, parent: rs, controllerRef });
    } catch (err) {
      // Every create fails while the namespace goes away; nothing to retry.
      if (!isNamespaceTerminating(err)) throw err;
    }
  });
  // Pods never created (failed or skipped) will not be observed by the informer.
  for (let i = successes; i < count; i++) deps.expectations.creationObserved(key);
  if (error !== undefined) throw error;
}

async function deletePods(
  deps: ReplicaSetSyncDeps,
  rs: ReplicaSet,
  key: string,
  pods: readonly Pod[],
): Promise<void> {
  deps.expectations.expectDeletions(key, pods.map(podKey));
  const namespace = rs.metadata?.namespace ?? "";
  const results = await Promise.allSettled(
    pods.map(async (pod) => {
      try {
        await deletePod(deps, { namespace, name: pod.metadata?.name ?? "", parent: rs });
      } catch (err) {
        // The informer will not observe a deletion that did not happen.
        deps.expectations.deletionObserved(key, podKey(pod));
        if (!isStatusError(err, "NotFound")) throw err;
      }
    }),
  );
  const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (failed) throw failed.reason;
}

/** Pods of every ReplicaSet sharing this one's controller (e.g. all of a Deployment's). */
function getIndirectlyRelatedPods(deps: ReplicaSetSyncDeps, rs: ReplicaSet): Pod[] {
  const owner = getControllerOf(rs);
  if (!owner) return [];
  const namespace = rs.metadata?.namespace ?? "";
  const siblings = deps.rsInformer
    .list(namespace)
    .filter((other) => getControllerOf(other)?.uid === owner.uid);
  const seen = new Set<string>();
  const related: Pod[] = [];
  const pods = deps.podInformer.list(namespace);
  for (const sibling of siblings) {
    let selector: Selector;
    try {
      selector = selectorFromLabelSelector(sibling.spec?.selector);
    } catch {
      continue;
    }
    for (const pod of pods) {
      const uid = pod.metadata?.uid ?? "";
      if (seen.has(uid) || !selector.matches(pod.metadata?.labels ?? {})) continue;
      seen.add(uid);
      related.push(pod);
    }
  }
  return related;
}
