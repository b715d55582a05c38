/**
 * The annotations a Deployment and its ReplicaSets carry (upstream `deploymentutil`):
 * `deployment.kubernetes.io/revision` on both, the revision history of a ReplicaSet that was
 * rolled back to, `desired-replicas` and `max-replicas` (the Deployment's size and size plus
 * surge when the ReplicaSet was last scaled, used for proportional scaling), and every other
 * Deployment annotation (such as `kubernetes.io/change-cause`) copied to the new ReplicaSet.
 */
import { metaOf } from "../../api/object.ts";
import type { Logger } from "../../machinery/log.ts";
import type { Deployment, ReplicaSet } from "../common/objects.ts";

export const revisionAnnotation = "deployment.kubernetes.io/revision";
export const revisionHistoryAnnotation = "deployment.kubernetes.io/revision-history";
export const desiredReplicasAnnotation = "deployment.kubernetes.io/desired-replicas";
export const maxReplicasAnnotation = "deployment.kubernetes.io/max-replicas";
export const changeCauseAnnotation = "kubernetes.io/change-cause";
const lastAppliedConfigAnnotation = "kubectl.kubernetes.io/last-applied-configuration";
const deprecatedRollbackTo = "deprecated.deployment.rollback.to";

/** Upstream `maxRevHistoryLengthInChars`. */
export const maxRevHistoryLengthInChars = 2000;

const annotationsToSkip = new Set([
  lastAppliedConfigAnnotation,
  revisionAnnotation,
  revisionHistoryAnnotation,
  desiredReplicasAnnotation,
  maxReplicasAnnotation,
  deprecatedRollbackTo,
]);

/** The object's annotations, created empty if absent. */
function annotationsOf(obj: ReplicaSet | Deployment): Record<string, string> {
  const meta = metaOf(obj);
  meta.annotations ??= {};
  return meta.annotations;
}

/** A decimal int annotation; undefined when absent, NaN when malformed. */
function intAnnotation(obj: ReplicaSet | Deployment, key: string): number | undefined {
  const raw = obj.metadata?.annotations?.[key];
  if (raw === undefined) return undefined;
  return /^-?\d+$/.test(raw) ? Number(raw) : Number.NaN;
}

/** `Revision`: 0 when absent; throws when malformed. */
export function revision(rs: ReplicaSet | Deployment): number {
  const v = intAnnotation(rs, revisionAnnotation);
  if (Number.isNaN(v)) {
    const raw = rs.metadata?.annotations?.[revisionAnnotation];
    throw new Error(`strconv.ParseInt: parsing "${raw}": invalid syntax`);
  }
  return v ?? 0;
}

/** `MaxRevision`: the highest revision among these ReplicaSets (malformed ones skipped). */
export function maxRevision(rss: readonly ReplicaSet[], log?: Logger): number {
  let max = 0;
  for (const rs of rss) {
    try {
      max = Math.max(max, revision(rs));
    } catch (err) {
      log?.info("Couldn't parse revision for replica set", { rs: rs.metadata?.name, err });
    }
  }
  return max;
}

/** `SetDeploymentRevision`: true when it changed the annotation. */
export function setDeploymentRevision(d: Deployment, rev: string): boolean {
  const meta = metaOf(d);
  if (meta.annotations?.[revisionAnnotation] === rev) return false;
  meta.annotations = { ...meta.annotations, [revisionAnnotation]: rev };
  return true;
}

export const getDesiredReplicasAnnotation = (rs: ReplicaSet): number | undefined =>
  validInt(intAnnotation(rs, desiredReplicasAnnotation));

export const getMaxReplicasAnnotation = (rs: ReplicaSet): number | undefined =>
  validInt(intAnnotation(rs, maxReplicasAnnotation));

const validInt = (v: number | undefined) => (v === undefined || Number.isNaN(v) ? undefined : v);

/** `ReplicasAnnotationsNeedUpdate`. */
export function replicasAnnotationsNeedUpdate(rs: ReplicaSet, desired: number, max: number) {
  const a = rs.metadata?.annotations;
  return (
    !a ||
    a[desiredReplicasAnnotation] !== String(desired) ||
    a[maxReplicasAnnotation] !== String(max)
  );
}

/** `SetReplicasAnnotations`: true when it changed anything. */
export function setReplicasAnnotations(rs: ReplicaSet, desired: number, max: number): boolean {
  const a = annotationsOf(rs);
  let updated = false;
  for (const [key, value] of [
    [desiredReplicasAnnotation, String(desired)],
    [maxReplicasAnnotation, String(max)],
  ] as const) {
    if (a[key] !== value) {
      a[key] = value;
      updated = true;
    }
  }
  return updated;
}

/** Copies the Deployment's own annotations (not the skipped ones) onto the ReplicaSet. */
function copyDeploymentAnnotationsToReplicaSet(d: Deployment, rs: ReplicaSet): boolean {
  const a = annotationsOf(rs);
  let changed = false;
  for (const [key, value] of Object.entries(d.metadata?.annotations ?? {})) {
    if (annotationsToSkip.has(key) || a[key] === value) continue;
    a[key] = value;
    changed = true;
  }
  return changed;
}

/**
 * `SetNewReplicaSetAnnotations`: copies the Deployment's annotations, raises the revision to
 * `newRevision` (keeping a bounded history of earlier ones when rolling back to this
 * ReplicaSet), and on a ReplicaSet about to be created sets the replica annotations.
 */
export function setNewReplicaSetAnnotations(options: {
  d: Deployment;
  rs: ReplicaSet;
  newRevision: string;
  exists: boolean;
  maxSurge: number;
  log?: Logger;
}): boolean {
  const { d, rs, newRevision } = options;
  let changed = copyDeploymentAnnotationsToReplicaSet(d, rs);
  const a = annotationsOf(rs);
  const oldRevision = a[revisionAnnotation];
  const oldInt = oldRevision === undefined || oldRevision === "" ? 0 : Number(oldRevision);
  if (!/^-?\d*$/.test(oldRevision ?? "")) {
    options.log?.info("Updating replica set revision OldRevision not int", { oldRevision });
    return false;
  }
  const newInt = Number(newRevision);
  if (oldInt < newInt) {
    a[revisionAnnotation] = newRevision;
    changed = true;
    if (oldRevision !== undefined) appendRevisionHistory(a, oldRevision, options.log);
  }
  const replicas = d.spec?.replicas ?? 1;
  if (!options.exists && setReplicasAnnotations(rs, replicas, replicas + options.maxSurge)) {
    changed = true;
  }
  return changed;
}

function appendRevisionHistory(
  a: Record<string, string>,
  oldRevision: string,
  log: Logger | undefined,
): void {
  const history = a[revisionHistoryAnnotation] ?? "";
  if (history === "") {
    a[revisionHistoryAnnotation] = oldRevision;
    return;
  }
  const old = history.split(",");
  let totalLen = history.length + oldRevision.length + 1;
  let start = 0;
  while (totalLen > maxRevHistoryLengthInChars && start < old.length) {
    totalLen -= (old[start]?.length ?? 0) + 1;
    start++;
  }
  if (totalLen <= maxRevHistoryLengthInChars) {
    a[revisionHistoryAnnotation] = [...old.slice(start), oldRevision].join(",");
  } else {
    log?.info("Not appending revision due to revision history length limit reached", {
      revisionHistoryLimit: maxRevHistoryLengthInChars,
    });
  }
}
