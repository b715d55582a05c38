/**
 * Informer indexes that let a workload controller look at its own objects rather than every
 * object of the namespace. Upstream's controllers list the whole namespace on every sync and
 * filter (`claimObjects` skips what another controller owns); Bosun runs its controllers in the
 * API server's process (ADR 10), so a pod event must not cost a scan of every pod. The objects a
 * claim can touch are exactly those its owner controls plus the namespace's orphans, so
 * `claimCandidates` hands `claimObjects` the same objects upstream's full list would matter for.
 */
import type { KubeObject } from "../../api/object.ts";
import type { Informer } from "../../client/informer.ts";
import { getControllerOf } from "./controller-ref.ts";

/**
 * Objects by `namespace/uid` of their controller (the owner reference with `controller: true`):
 * the namespace is part of the value so a lookup needs no filtering (an owner controls only
 * objects of its own namespace).
 */
export const controllerUidIndex = "controller-uid";
/** Objects without a controller, by namespace. */
export const orphansByNamespaceIndex = "orphans-by-namespace";

function controllerUid(obj: KubeObject): readonly string[] {
  const uid = getControllerOf(obj)?.uid;
  return uid ? [`${obj.metadata?.namespace ?? ""}/${uid}`] : [];
}

function orphanNamespace(obj: KubeObject): readonly string[] {
  return getControllerOf(obj) ? [] : [obj.metadata?.namespace ?? ""];
}

/** Adds both indexes to `informer` (a no-op when a controller sharing it already has). */
export function addControllerIndexes<T extends KubeObject>(informer: Informer<T>): void {
  informer.addIndexer(controllerUidIndex, controllerUid);
  informer.addIndexer(orphansByNamespaceIndex, orphanNamespace);
}

/** The cached objects `owner` controls (in its namespace). */
export function controlledBy<T extends KubeObject>(informer: Informer<T>, owner: KubeObject): T[] {
  const uid = owner.metadata?.uid;
  if (!uid) return [];
  return informer.byIndex(controllerUidIndex, `${owner.metadata?.namespace ?? ""}/${uid}`);
}

/**
 * What a claim by `owner` can keep, release or adopt: the objects it controls and the orphans of
 * its namespace. Objects controlled by anyone else are left out, as `claimObjects` skips them.
 */
export function claimCandidates<T extends KubeObject>(
  informer: Informer<T>,
  owner: KubeObject,
): T[] {
  const orphans = informer.byIndex(orphansByNamespaceIndex, owner.metadata?.namespace ?? "");
  const candidates = controlledBy(informer, owner);
  for (const orphan of orphans) candidates.push(orphan);
  return candidates;
}
