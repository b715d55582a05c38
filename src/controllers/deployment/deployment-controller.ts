/**
 * The Deployment controller (upstream `pkg/controller/deployment`): rolls a Deployment's pod
 * template out through one ReplicaSet per template (`<name>-<pod-template-hash>`), with the
 * RollingUpdate or Recreate strategy, tracks revisions and status, and prunes old ReplicaSets.
 * Informer handlers only enqueue Deployment keys; `syncDeployment` does the work.
 */
import { runWorkers } from "../../client/controller.ts";
import { keyOf, splitKey } from "../../client/informer.ts";
import { resources } from "../../client/resources.ts";
import { WorkQueue } from "../../client/work-queue.ts";
import { type Selector, selectorFromLabelSelector } from "../../machinery/labels.ts";
import { isStatusError } from "../../machinery/status.ts";
import {
  addControllerIndexes,
  claimCandidates,
  controlledBy,
} from "../common/controller-indexes.ts";
import { claimObjects } from "../common/controller-ref-manager.ts";
import type { Deployment, Pod, ReplicaSet } from "../common/objects.ts";
import type { Controller, ControllerContext, ControllerFactory } from "../context.ts";
import { addDeploymentHandlers } from "./deployment-handlers.ts";
import { type DeploymentSyncDeps, deploymentKind, updateDeploymentStatus } from "./deps.ts";
import { getAllReplicaSetsAndSyncRevision } from "./new-replica-set.ts";
import { checkPausedConditions } from "./progress.ts";
import { type PodMap, rolloutRecreate } from "./recreate.ts";
import { rolloutRolling } from "./rolling.ts";
import { isScalingEvent } from "./scale.ts";
import { sync, syncStatusOnly } from "./sync.ts";

/** Upstream `--concurrent-deployment-syncs`. */
export const defaultDeploymentWorkers = 5;

export function newDeploymentController(
  ctx: ControllerContext,
  options: { workers?: number } = {},
): Controller {
  const dInformer = ctx.informers.informer<Deployment>(resources.deployments);
  const rsInformer = ctx.informers.informer<ReplicaSet>(resources.replicasets);
  const podInformer = ctx.informers.informer<Pod>(resources.pods);
  addControllerIndexes(rsInformer);
  addControllerIndexes(podInformer);
  const queue = new WorkQueue<string>({ clock: ctx.clock });
  const deps: DeploymentSyncDeps = {
    client: ctx.client,
    recorder: ctx.recorder,
    clock: ctx.clock,
    log: ctx.log,
    dInformer,
    rsInformer,
    podInformer,
    enqueueAfter: (d, ms) => queue.addAfter(keyOf(d), ms),
    enqueueRateLimited: (d) => queue.addRateLimited(keyOf(d)),
  };
  addDeploymentHandlers(deps, (d) => queue.add(keyOf(d)));
  return {
    name: "deployment",
    async run(signal) {
      await Promise.all([dInformer.synced(), rsInformer.synced(), podInformer.synced()]);
      await runWorkers({
        queue,
        workers: options.workers ?? defaultDeploymentWorkers,
        sync: (key) => syncDeployment(deps, key),
        log: ctx.log,
        signal,
      });
    },
  };
}

export const deploymentControllerFactory: ControllerFactory = {
  name: "deployment",
  create: (ctx) => newDeploymentController(ctx),
};

export async function syncDeployment(deps: DeploymentSyncDeps, key: string): Promise<void> {
  const { namespace, name } = splitKey(key);
  const cached = deps.dInformer.get(namespace, name);
  if (!cached) return;
  const d = structuredClone(cached);
  try {
    await syncDeploymentObject(deps, d);
  } catch (err) {
    // Deleted meanwhile: nothing left to do, its delete event has been handled.
    if (isStatusError(err, "NotFound") && !deps.dInformer.get(namespace, name)) return;
    throw err;
  }
}

async function syncDeploymentObject(deps: DeploymentSyncDeps, d: Deployment): Promise<void> {
  const selector = d.spec?.selector ?? {};
  if (
    Object.keys(selector.matchLabels ?? {}).length + (selector.matchExpressions ?? []).length ===
    0
  ) {
    const message = "This deployment is selecting all pods. A non-empty selector is required.";
    deps.recorder.event(d, "Warning", "SelectingAll", message);
    if ((d.status?.observedGeneration ?? 0) < (d.metadata?.generation ?? 0)) {
      d.status = { ...d.status, observedGeneration: d.metadata?.generation ?? 0 };
      await updateDeploymentStatus(deps, d);
    }
    return;
  }
  const rsList = await getReplicaSetsForDeployment(deps, d);
  if (d.metadata?.deletionTimestamp) return syncStatusOnly(deps, d, rsList);
  await checkPausedConditions(deps, d);
  if (d.spec?.paused) return sync(deps, d, rsList);
  const { newRS, oldRSs } = await getAllReplicaSetsAndSyncRevision(deps, d, rsList, false);
  if (isScalingEvent(d, newRS, oldRSs)) return sync(deps, d, rsList);
  if (d.spec?.strategy?.type === "Recreate") {
    return rolloutRecreate(deps, d, rsList, getPodMapForDeployment(deps, d, rsList));
  }
  return rolloutRolling(deps, d, rsList);
}

function deploymentSelector(d: Deployment): Selector {
  try {
    return selectorFromLabelSelector(d.spec?.selector);
  } catch (err) {
    const name = `${d.metadata?.namespace}/${d.metadata?.name}`;
    throw new Error(`deployment ${name} has invalid label selector: ${(err as Error).message}`, {
      cause: err,
    });
  }
}

/** The ReplicaSets this Deployment controls, after adopting orphans and releasing strays. */
async function getReplicaSetsForDeployment(
  deps: DeploymentSyncDeps,
  d: Deployment,
): Promise<ReplicaSet[]> {
  // Only the ReplicaSets it controls and the namespace's orphans: claiming skips the others.
  const rsList = claimCandidates(deps.rsInformer, d);
  return claimObjects(rsList, {
    client: deps.client,
    owner: d,
    ownerKind: deploymentKind,
    ownerResource: resources.deployments,
    selector: deploymentSelector(d),
    resource: resources.replicasets,
  });
}

/** All pods of the Deployment's ReplicaSets, finished ones included, by ReplicaSet uid. */
function getPodMapForDeployment(
  deps: DeploymentSyncDeps,
  d: Deployment,
  rsList: readonly ReplicaSet[],
): PodMap {
  const selector = deploymentSelector(d);
  const podMap: PodMap = new Map();
  for (const rs of rsList) {
    const uid = rs.metadata?.uid ?? "";
    const pods = podMap.get(uid) ?? [];
    podMap.set(uid, pods);
    for (const pod of controlledBy(deps.podInformer, rs)) {
      if (selector.matches(pod.metadata?.labels ?? {})) pods.push(pod);
    }
  }
  return podMap;
}
