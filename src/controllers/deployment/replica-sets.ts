/**
 * Lists of a Deployment's ReplicaSets (upstream `deploymentutil` and `controller` helpers):
 * replica counts, which one is new, which are old, and the orders they are scaled in.
 */

import { parseTime } from "../../machinery/time.ts";
import type { Deployment, ReplicaSet } from "../common/objects.ts";
import { equalIgnoreHash } from "./template-hash.ts";

/** `*rs.Spec.Replicas` (the API defaults it to 1). */
export const rsReplicas = (rs: ReplicaSet): number => rs.spec?.replicas ?? 1;

/** `*d.Spec.Replicas` (the API defaults it to 1). */
export const deploymentReplicas = (d: Deployment): number => d.spec?.replicas ?? 1;

/** Sum of spec.replicas. */
export function getReplicaCountForReplicaSets(rss: readonly (ReplicaSet | undefined)[]): number {
  return rss.reduce((n, rs) => n + (rs ? rsReplicas(rs) : 0), 0);
}

/** Sum of status.replicas. */
export function getActualReplicaCountForReplicaSets(
  rss: readonly (ReplicaSet | undefined)[],
): number {
  return rss.reduce((n, rs) => n + (rs?.status?.replicas ?? 0), 0);
}

export function getReadyReplicaCountForReplicaSets(
  rss: readonly (ReplicaSet | undefined)[],
): number {
  return rss.reduce((n, rs) => n + (rs?.status?.readyReplicas ?? 0), 0);
}

export function getAvailableReplicaCountForReplicaSets(
  rss: readonly (ReplicaSet | undefined)[],
): number {
  return rss.reduce((n, rs) => n + (rs?.status?.availableReplicas ?? 0), 0);
}

/** ReplicaSets with spec.replicas > 0. */
export function filterActiveReplicaSets(rss: readonly (ReplicaSet | undefined)[]): ReplicaSet[] {
  return rss.filter((rs): rs is ReplicaSet => rs !== undefined && rsReplicas(rs) > 0);
}

const created = (rs: ReplicaSet): number => parseTime(rs.metadata?.creationTimestamp) ?? 0;
const nameOf = (rs: ReplicaSet): string => rs.metadata?.name ?? "";

/** `ReplicaSetsByCreationTimestamp`: oldest first, ties by name. */
export function byCreationTimestamp(a: ReplicaSet, b: ReplicaSet): number {
  return created(a) - created(b) || (nameOf(a) < nameOf(b) ? -1 : nameOf(a) > nameOf(b) ? 1 : 0);
}

/** `ReplicaSetsBySizeNewer`: largest first, then newest first. */
export function bySizeNewer(a: ReplicaSet, b: ReplicaSet): number {
  return rsReplicas(b) - rsReplicas(a) || byCreationTimestamp(b, a);
}

/** `ReplicaSetsBySizeOlder`: largest first, then oldest first. */
export function bySizeOlder(a: ReplicaSet, b: ReplicaSet): number {
  return rsReplicas(b) - rsReplicas(a) || byCreationTimestamp(a, b);
}

/** `FindNewReplicaSet`: the oldest ReplicaSet whose template equals the Deployment's. */
export function findNewReplicaSet(
  d: Deployment,
  rsList: readonly ReplicaSet[],
): ReplicaSet | undefined {
  return [...rsList]
    .sort(byCreationTimestamp)
    .find((rs) => equalIgnoreHash(rs.spec?.template, d.spec?.template));
}

/**
 * `FindOldReplicaSets`: every ReplicaSet but the new one (`all`), and those of them that still
 * have replicas (`required`).
 */
export function findOldReplicaSets(
  d: Deployment,
  rsList: readonly ReplicaSet[],
): { required: ReplicaSet[]; all: ReplicaSet[] } {
  const newRS = findNewReplicaSet(d, rsList);
  const all = rsList.filter((rs) => !newRS || rs.metadata?.uid !== newRS.metadata?.uid);
  return { required: all.filter((rs) => rsReplicas(rs) !== 0), all };
}

/**
 * `FindActiveOrLatest`: the only ReplicaSet with replicas, or the newest one when none has any;
 * undefined when several are active.
 */
export function findActiveOrLatest(
  newRS: ReplicaSet | undefined,
  oldRSs: readonly ReplicaSet[],
): ReplicaSet | undefined {
  if (!newRS && oldRSs.length === 0) return undefined;
  const newestFirst = [...oldRSs].sort((a, b) => byCreationTimestamp(b, a));
  const active = filterActiveReplicaSets([...newestFirst, newRS]);
  if (active.length === 0) return newRS ?? newestFirst[0];
  return active.length === 1 ? active[0] : undefined;
}
