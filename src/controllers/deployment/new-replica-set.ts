/**
 * The Deployment's new ReplicaSet (upstream `getNewReplicaSet`): the ReplicaSet whose template
 * equals the Deployment's, brought up to the next revision (so rolling back to an old template
 * reuses its ReplicaSet with a new revision number), or, when asked, a new one named
 * `<deployment>-<pod-template-hash>` with the hash in its labels, selector and template.
 */
import { resourcePath, resources } from "../../client/resources.ts";
import { isStatusError } from "../../machinery/status.ts";
import { getControllerOf, newControllerRef } from "../common/controller-ref.ts";
import type { Deployment, ReplicaSet } from "../common/objects.ts";
import { isNamespaceTerminating } from "../common/pod-control.ts";
import {
  maxRevision,
  revisionAnnotation,
  setDeploymentRevision,
  setNewReplicaSetAnnotations,
} from "./annotations.ts";
import {
  getDeploymentCondition,
  newDeploymentCondition,
  reasons,
  setDeploymentCondition,
} from "./conditions.ts";
import { hasProgressDeadline, maxSurge, newRSNewReplicas } from "./deployment-util.ts";
import {
  type DeploymentSyncDeps,
  deploymentKind,
  replicaSetPath,
  statusOf,
  updateDeploymentStatus,
} from "./deps.ts";
import { findNewReplicaSet, findOldReplicaSets } from "./replica-sets.ts";
import { computeHash, defaultDeploymentUniqueLabelKey, equalIgnoreHash } from "./template-hash.ts";

export interface AllReplicaSets {
  readonly newRS: ReplicaSet | undefined;
  readonly oldRSs: ReplicaSet[];
}

/** `getAllReplicaSetsAndSyncRevision`. */
export async function getAllReplicaSetsAndSyncRevision(
  deps: DeploymentSyncDeps,
  d: Deployment,
  rsList: readonly ReplicaSet[],
  createIfNotExisted: boolean,
): Promise<AllReplicaSets> {
  const { all: oldRSs } = findOldReplicaSets(d, rsList);
  const newRS = await getNewReplicaSet(deps, { d, rsList, oldRSs, createIfNotExisted });
  return { newRS, oldRSs };
}

async function getNewReplicaSet(
  deps: DeploymentSyncDeps,
  options: {
    d: Deployment;
    rsList: readonly ReplicaSet[];
    oldRSs: readonly ReplicaSet[];
    createIfNotExisted: boolean;
  },
): Promise<ReplicaSet | undefined> {
  const { d, oldRSs } = options;
  const existing = findNewReplicaSet(d, options.rsList);
  const newRevision = String(maxRevision(oldRSs, deps.log) + 1);
  if (existing) return syncExistingNewReplicaSet(deps, d, existing, newRevision);
  if (!options.createIfNotExisted) return undefined;
  return createNewReplicaSet(deps, d, oldRSs, newRevision);
}

/** Brings the existing new ReplicaSet's annotations up to date, then the Deployment's. */
async function syncExistingNewReplicaSet(
  deps: DeploymentSyncDeps,
  d: Deployment,
  existing: ReplicaSet,
  newRevision: string,
): Promise<ReplicaSet> {
  const rsCopy = structuredClone(existing);
  const annotationsUpdated = setNewReplicaSetAnnotations({
    d,
    rs: rsCopy,
    newRevision,
    exists: true,
    maxSurge: maxSurge(d),
    log: deps.log,
  });
  const minReadySeconds = d.spec?.minReadySeconds ?? 0;
  const minReadyChanged = (rsCopy.spec?.minReadySeconds ?? 0) !== minReadySeconds;
  if (annotationsUpdated || minReadyChanged) {
    rsCopy.spec = { ...(rsCopy.spec ?? { selector: {} }), minReadySeconds };
    return deps.client.update<ReplicaSet>(replicaSetPath(rsCopy), rsCopy);
  }
  let needsUpdate = setDeploymentRevision(
    d,
    rsCopy.metadata?.annotations?.[revisionAnnotation] ?? "",
  );
  const status = statusOf(d);
  if (hasProgressDeadline(d) && !getDeploymentCondition(status, "Progressing")) {
    const condition = newDeploymentCondition({
      type: "Progressing",
      status: "True",
      reason: reasons.foundNewRS,
      message: `Found new replica set "${rsCopy.metadata?.name}"`,
      nowMs: deps.clock.now(),
    });
    setDeploymentCondition(status, condition);
    needsUpdate = true;
  }
  if (needsUpdate) await updateDeploymentStatus(deps, d);
  return rsCopy;
}

function newReplicaSetFor(d: Deployment, hash: string): ReplicaSet {
  const template = structuredClone(d.spec?.template ?? {});
  const labels = { ...template.metadata?.labels, [defaultDeploymentUniqueLabelKey]: hash };
  template.metadata = { ...template.metadata, labels };
  const selector = structuredClone(d.spec?.selector ?? {});
  selector.matchLabels = { ...selector.matchLabels, [defaultDeploymentUniqueLabelKey]: hash };
  const minReadySeconds = d.spec?.minReadySeconds ?? 0;
  return {
    apiVersion: "apps/v1",
    kind: "ReplicaSet",
    metadata: {
      name: `${d.metadata?.name}-${hash}`,
      namespace: d.metadata?.namespace ?? "",
      ownerReferences: [newControllerRef(d, deploymentKind)],
      labels: { ...labels },
    },
    spec: { replicas: 0, ...(minReadySeconds ? { minReadySeconds } : {}), selector, template },
  };
}

async function createNewReplicaSet(
  deps: DeploymentSyncDeps,
  d: Deployment,
  oldRSs: readonly ReplicaSet[],
  newRevision: string,
): Promise<ReplicaSet> {
  const hash = computeHash(d.spec?.template ?? {}, d.status?.collisionCount);
  const newRS = newReplicaSetFor(d, hash);
  const newReplicasCount = newRSNewReplicas(d, [...oldRSs, newRS], newRS);
  newRS.spec = { ...(newRS.spec ?? { selector: {} }), replicas: newReplicasCount };
  setNewReplicaSetAnnotations({ d, rs: newRS, newRevision, exists: false, maxSurge: maxSurge(d) });
  const name = newRS.metadata?.name ?? "";
  const namespace = newRS.metadata?.namespace ?? "";
  let created: ReplicaSet;
  let alreadyExists = false;
  try {
    created = await deps.client.create<ReplicaSet>(
      resourcePath(resources.replicasets, namespace),
      newRS,
    );
  } catch (err) {
    if (isStatusError(err, "AlreadyExists")) {
      created = await adoptExistingOrBumpCollision(deps, d, newRS, err);
      alreadyExists = true;
    } else {
      if (!isNamespaceTerminating(err)) await reportCreateFailure(deps, d, name, err);
      throw err;
    }
  }
  if (!alreadyExists && newReplicasCount > 0) {
    const message = `Scaled up replica set ${created.metadata?.name} from 0 to ${newReplicasCount}`;
    deps.recorder.event(d, "Normal", "ScalingReplicaSet", message);
  }
  let needsUpdate = setDeploymentRevision(d, newRevision);
  if (!alreadyExists && hasProgressDeadline(d)) {
    const condition = newDeploymentCondition({
      type: "Progressing",
      status: "True",
      reason: reasons.newReplicaSet,
      message: `Created new replica set "${created.metadata?.name}"`,
      nowMs: deps.clock.now(),
    });
    setDeploymentCondition(statusOf(d), condition);
    needsUpdate = true;
  }
  if (needsUpdate) await updateDeploymentStatus(deps, d);
  return created;
}

/**
 * The name is taken: by this Deployment's own new ReplicaSet (a stale cache), which is then
 * used; or by another template with the same hash, which bumps `status.collisionCount` so the
 * next sync hashes differently, and fails this one.
 */
async function adoptExistingOrBumpCollision(
  deps: DeploymentSyncDeps,
  d: Deployment,
  newRS: ReplicaSet,
  err: unknown,
): Promise<ReplicaSet> {
  const namespace = newRS.metadata?.namespace ?? "";
  const rs =
    deps.rsInformer.get(namespace, newRS.metadata?.name ?? "") ??
    (await deps.client.get<ReplicaSet>(replicaSetPath(newRS)));
  const ref = getControllerOf(rs);
  if (ref?.uid === d.metadata?.uid && equalIgnoreHash(d.spec?.template, rs.spec?.template)) {
    return rs;
  }
  const status = statusOf(d);
  const previous = status.collisionCount ?? 0;
  status.collisionCount = previous + 1;
  try {
    await updateDeploymentStatus(deps, d);
    deps.log.info("Found a hash collision for deployment - bumping collisionCount to resolve it", {
      deployment: `${namespace}/${d.metadata?.name}`,
      oldCollisionCount: previous,
      newCollisionCount: status.collisionCount,
    });
  } catch {}
  throw err;
}

async function reportCreateFailure(
  deps: DeploymentSyncDeps,
  d: Deployment,
  name: string,
  err: unknown,
): Promise<void> {
  const message = `Failed to create new replica set "${name}": ${(err as Error).message}`;
  if (hasProgressDeadline(d)) {
    const condition = newDeploymentCondition({
      type: "Progressing",
      status: "False",
      reason: reasons.failedRSCreate,
      message,
      nowMs: deps.clock.now(),
    });
    setDeploymentCondition(statusOf(d), condition);
    await updateDeploymentStatus(deps, d).catch(() => {});
  }
  deps.recorder.event(d, "Warning", reasons.failedRSCreate, message);
}
