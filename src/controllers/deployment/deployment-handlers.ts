/**
 * The Deployment controller's informer handlers: Deployment changes, ReplicaSet changes (to
 * the owning Deployment, or to every Deployment that might adopt an orphan), and pod deletions
 * of Recreate Deployments (which wait for old pods to be gone).
 */
import type { Informer } from "../../client/informer.ts";
import { selectorFromLabelSelector } from "../../machinery/labels.ts";
import { getControllerOf, resolveControllerRef } from "../common/controller-ref.ts";
import type { Deployment, ReplicaSet } from "../common/objects.ts";
import { replicaSetKind } from "../replicaset/sync-replica-set.ts";
import { type DeploymentSyncDeps, deploymentKind } from "./deps.ts";

export function addDeploymentHandlers(
  deps: DeploymentSyncDeps,
  enqueue: (d: Deployment) => void,
): void {
  deps.dInformer.addHandlers({
    onAdd: enqueue,
    onUpdate: (_old, d) => enqueue(d),
    onDelete: enqueue,
  });
  const owner = (rs: ReplicaSet, ref = getControllerOf(rs)) =>
    resolveControllerRef(ref, deploymentKind, (name) =>
      deps.dInformer.get(rs.metadata?.namespace ?? "", name),
    );
  const enqueueOwner = (rs: ReplicaSet, ref = getControllerOf(rs)) => {
    const d = owner(rs, ref);
    if (d) enqueue(d);
  };
  const enqueueMatching = (rs: ReplicaSet) => {
    for (const d of getDeploymentsForReplicaSet(deps.dInformer, rs)) enqueue(d);
  };
  deps.rsInformer.addHandlers({
    onAdd(rs) {
      if (getControllerOf(rs)) enqueueOwner(rs);
      else if (!rs.metadata?.deletionTimestamp) enqueueMatching(rs);
    },
    onUpdate(old, rs) {
      const curRef = getControllerOf(rs);
      const oldRef = getControllerOf(old);
      const refChanged = JSON.stringify(curRef) !== JSON.stringify(oldRef);
      if (refChanged && oldRef) enqueueOwner(old, oldRef);
      if (curRef) return enqueueOwner(rs, curRef);
      const labelChanged =
        JSON.stringify(old.metadata?.labels ?? {}) !== JSON.stringify(rs.metadata?.labels ?? {});
      if (labelChanged || refChanged) enqueueMatching(rs);
    },
    onDelete: (rs) => enqueueOwner(rs),
  });
  deps.podInformer.addHandlers({
    onDelete(pod) {
      const namespace = pod.metadata?.namespace ?? "";
      const rs = resolveControllerRef(getControllerOf(pod), replicaSetKind, (name) =>
        deps.rsInformer.get(namespace, name),
      );
      const d = rs && owner(rs);
      if (d?.spec?.strategy?.type === "Recreate") enqueue(d);
    },
  });
}

/** Deployments in the ReplicaSet's namespace whose (non-empty) selector matches its labels. */
export function getDeploymentsForReplicaSet(
  dInformer: Informer<Deployment>,
  rs: ReplicaSet,
): Deployment[] {
  const labels = rs.metadata?.labels;
  if (!labels) return [];
  return dInformer.list(rs.metadata?.namespace ?? "").filter((d) => {
    try {
      const selector = selectorFromLabelSelector(d.spec?.selector);
      return !selector.isEmpty() && selector.matches(labels);
    } catch {
      return false;
    }
  });
}
