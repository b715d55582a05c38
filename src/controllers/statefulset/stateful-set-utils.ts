/**
 * A StatefulSet pod's identity (upstream `stateful_set_utils.go`): the name `<set>-<ordinal>`,
 * the pod-name and pod-index labels, hostname and subdomain, the claims `<template>-<set>-<ordinal>`
 * and the revision label; which ordinals the set wants; and how pods are built at a revision.
 */
import type { PersistentVolumeClaim, Pod, StatefulSet, Volume } from "../../api/generated/types.ts";
import type { KubeObject } from "../../api/object.ts";
import { clone } from "../../api/object.ts";
import { getPodFromTemplate } from "../common/pod-control.ts";
import { isPodAvailable, isPodReady, podReadyTime } from "../common/pod-utils.ts";
import { controllerRevisionHashLabel, newControllerRef } from "../history/controller-revision.ts";

export const statefulSetKind = { apiVersion: "apps/v1", kind: "StatefulSet" } as const;
/** `apps.StatefulSetPodNameLabel`. */
export const statefulSetPodNameLabel = "statefulset.kubernetes.io/pod-name";
/** `apps.PodIndexLabel`. */
export const podIndexLabel = "apps.kubernetes.io/pod-index";
/** `apps.StatefulSetRevisionLabel`: the pod's revision name. */
export const statefulSetRevisionLabel = controllerRevisionHashLabel;

const statefulPodRegex = /^(.*)-([0-9]+)$/;

/** `getParentNameAndOrdinal`: ("", -1) for names that are not `<parent>-<n>`. */
export function getParentNameAndOrdinal(pod: Pod): { parent: string; ordinal: number } {
  const m = statefulPodRegex.exec(pod.metadata?.name ?? "");
  if (!m) return { parent: "", ordinal: -1 };
  const ordinal = Number(m[2]);
  return { parent: m[1] ?? "", ordinal: ordinal <= 2 ** 31 - 1 ? ordinal : -1 };
}

export const getOrdinal = (pod: Pod): number => getParentNameAndOrdinal(pod).ordinal;

export const getPodName = (set: StatefulSet, ordinal: number): string =>
  `${set.metadata?.name}-${ordinal}`;

export const getPersistentVolumeClaimName = (
  set: StatefulSet,
  claim: PersistentVolumeClaim,
  ordinal: number,
): string => `${claim.metadata?.name}-${set.metadata?.name}-${ordinal}`;

export const isMemberOf = (set: StatefulSet, pod: Pod): boolean =>
  getParentNameAndOrdinal(pod).parent === set.metadata?.name;

/** `getStartOrdinal`: `spec.ordinals.start`, default 0. */
export const getStartOrdinal = (set: StatefulSet): number => set.spec?.ordinals?.start ?? 0;

/** `getEndOrdinal`: the last ordinal the set wants (start - 1 when it wants none). */
export const getEndOrdinal = (set: StatefulSet): number =>
  getStartOrdinal(set) + (set.spec?.replicas ?? 1) - 1;

export function podInOrdinalRange(pod: Pod, set: StatefulSet): boolean {
  const ordinal = getOrdinal(pod);
  return ordinal >= getStartOrdinal(set) && ordinal <= getEndOrdinal(set);
}

/** `identityMatches`: name, namespace and the pod-name/pod-index labels are the set's. */
export function identityMatches(set: StatefulSet, pod: Pod): boolean {
  const { parent, ordinal } = getParentNameAndOrdinal(pod);
  const labels = pod.metadata?.labels ?? {};
  return (
    ordinal >= 0 &&
    parent === set.metadata?.name &&
    pod.metadata?.name === getPodName(set, ordinal) &&
    pod.metadata?.namespace === set.metadata?.namespace &&
    labels[statefulSetPodNameLabel] === pod.metadata?.name &&
    labels[podIndexLabel] === String(ordinal)
  );
}

/** `storageMatches`: every claim template is mounted from the pod's own claim. */
export function storageMatches(set: StatefulSet, pod: Pod): boolean {
  const ordinal = getOrdinal(pod);
  if (ordinal < 0) return false;
  const volumes = new Map((pod.spec?.volumes ?? []).map((v) => [v.name, v]));
  return (set.spec?.volumeClaimTemplates ?? []).every(
    (claim) =>
      volumes.get(claim.metadata?.name ?? "")?.persistentVolumeClaim?.claimName ===
      getPersistentVolumeClaimName(set, claim, ordinal),
  );
}

/** `getPersistentVolumeClaims`: template name → the claim the pod's ordinal needs. */
export function getPersistentVolumeClaims(
  set: StatefulSet,
  pod: Pod,
): Map<string, PersistentVolumeClaim> {
  const ordinal = getOrdinal(pod);
  const claims = new Map<string, PersistentVolumeClaim>();
  for (const template of set.spec?.volumeClaimTemplates ?? []) {
    const t = clone(template);
    const claim: PersistentVolumeClaim = {
      apiVersion: "v1",
      kind: "PersistentVolumeClaim",
      metadata: {
        name: getPersistentVolumeClaimName(set, template, ordinal),
        namespace: set.metadata?.namespace ?? "",
        labels: { ...(t.metadata?.labels ?? {}), ...(set.spec?.selector.matchLabels ?? {}) },
        ...(t.metadata?.annotations ? { annotations: t.metadata.annotations } : {}),
      },
      spec: t.spec ?? {},
    };
    claims.set(template.metadata?.name ?? "", claim);
  }
  return claims;
}

/** `updateStorage`: mounts the set's claims, replacing same-named volumes, keeping the rest. */
export function updateStorage(set: StatefulSet, pod: Pod): void {
  const claims = getPersistentVolumeClaims(set, pod);
  const volumes: Volume[] = [...claims].map(([name, claim]) => ({
    name,
    persistentVolumeClaim: { claimName: claim.metadata?.name ?? "" },
  }));
  for (const v of pod.spec?.volumes ?? []) if (!claims.has(v.name)) volumes.push(v);
  if (pod.spec) pod.spec.volumes = volumes;
}

/** `updateIdentity`: name, namespace, pod-name and pod-index labels. */
export function updateIdentity(set: StatefulSet, pod: Pod): void {
  const ordinal = getOrdinal(pod);
  pod.metadata ??= {};
  const meta = pod.metadata;
  meta.name = getPodName(set, ordinal);
  meta.namespace = set.metadata?.namespace ?? "";
  meta.labels = { ...(meta.labels ?? {}), [statefulSetPodNameLabel]: meta.name };
  meta.labels[podIndexLabel] = String(ordinal);
}

/** `newStatefulSetPod`: the template's pod with the ordinal's identity and storage. */
export function newStatefulSetPod(set: StatefulSet, ordinal: number): Pod {
  const ref = newControllerRef(set, statefulSetKind);
  const pod = getPodFromTemplate(set.spec?.template, set as KubeObject, ref);
  pod.metadata!.name = getPodName(set, ordinal);
  updateIdentity(set, pod);
  // Hostname and subdomain are set only on creation (`initIdentity`).
  pod.spec!.hostname = pod.metadata!.name;
  if (set.spec?.serviceName) pod.spec!.subdomain = set.spec.serviceName;
  updateStorage(set, pod);
  return pod;
}

export const getPodRevision = (pod: Pod): string =>
  pod.metadata?.labels?.[statefulSetRevisionLabel] ?? "";

export function setPodRevision(pod: Pod, revision: string): void {
  pod.metadata ??= {};
  const meta = pod.metadata;
  meta.labels = { ...(meta.labels ?? {}), [statefulSetRevisionLabel]: revision };
}

/**
 * `newVersionedStatefulSetPod`: ordinals below the partition (or, without a rollingUpdate
 * block, below the current replicas) are built at the current revision, the rest at the update
 * revision.
 */
export function newVersionedStatefulSetPod(options: {
  currentSet: StatefulSet;
  updateSet: StatefulSet;
  currentRevision: string;
  updateRevision: string;
  ordinal: number;
}): Pod {
  const { currentSet, ordinal } = options;
  const strategy = currentSet.spec?.updateStrategy;
  const start = getStartOrdinal(currentSet);
  const useCurrent =
    (strategy?.type ?? "RollingUpdate") === "RollingUpdate" &&
    (strategy?.rollingUpdate === undefined
      ? ordinal < start + (currentSet.status?.currentReplicas ?? 0)
      : ordinal < start + (strategy.rollingUpdate.partition ?? 0));
  const pod = newStatefulSetPod(useCurrent ? currentSet : options.updateSet, ordinal);
  setPodRevision(pod, useCurrent ? options.currentRevision : options.updateRevision);
  return pod;
}

export const isRunningAndReady = (pod: Pod): boolean =>
  pod.status?.phase === "Running" && isPodReady(pod);

export const isRunningAndAvailable = (pod: Pod, minReadySeconds: number, now: number): boolean =>
  isPodAvailable(pod, minReadySeconds, now);

/** Created: the API server holds it (a pod built locally has no uid yet). */
export const isCreated = (pod: Pod): boolean => Boolean(pod.metadata?.uid);
export const isTerminating = (pod: Pod): boolean => Boolean(pod.metadata?.deletionTimestamp);
export const isHealthy = (pod: Pod): boolean => isRunningAndReady(pod) && !isTerminating(pod);
export const isFinished = (pod: Pod): boolean =>
  pod.status?.phase === "Failed" || pod.status?.phase === "Succeeded";
export const isPending = (pod: Pod): boolean => pod.status?.phase === "Pending";

/** `allowsBurst`: Parallel pod management. */
export const allowsBurst = (set: StatefulSet): boolean =>
  set.spec?.podManagementPolicy === "Parallel";

/** Milliseconds until a ready pod becomes available; undefined if it is not ready or already is. */
export function msUntilAvailable(
  pod: Pod,
  minReadySeconds: number,
  now: number,
): number | undefined {
  if (isPodAvailable(pod, minReadySeconds, now)) return undefined;
  const since = podReadyTime(pod);
  return since === undefined ? undefined : Math.max(0, since + minReadySeconds * 1000 - now) + 1;
}
