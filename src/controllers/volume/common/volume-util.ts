/**
 * What the volume controllers share (upstream `pkg/controller/volume/persistentvolume/util`,
 * `component-helpers/storage/volume`): the annotations and finalizers, the class of a claim or
 * a volume, binding checks, and claim references.
 */
import type {
  ObjectReference,
  Pod as PodType,
  PersistentVolumeClaim as PVCType,
  PersistentVolume as PVType,
  StorageClass as StorageClassType,
} from "../../../api/generated/types.ts";
import type { KubeObject } from "../../../api/object.ts";
import { compareStrings } from "../../../machinery/apply/go-json.ts";
import { Quantity } from "../../../machinery/quantity.ts";

export type PersistentVolume = PVType & KubeObject;
export type PersistentVolumeClaim = PVCType & KubeObject;
export type StorageClass = StorageClassType & KubeObject;
export type Pod = PodType & KubeObject;

/** Set on a claim once the controller has bound it ("yes"); without it the claim is unbound. */
export const annBindCompleted = "pv.kubernetes.io/bind-completed";
/** Set on a volume or claim the controller (not the user) bound ("yes"). */
export const annBoundByController = "pv.kubernetes.io/bound-by-controller";
/** The provisioner that created a volume. */
export const annDynamicallyProvisioned = "pv.kubernetes.io/provisioned-by";
/** The provisioner a claim waits for. */
export const annStorageProvisioner = "volume.kubernetes.io/storage-provisioner";
export const annBetaStorageProvisioner = "volume.beta.kubernetes.io/storage-provisioner";
/** The node the scheduler chose for a WaitForFirstConsumer claim. */
export const annSelectedNode = "volume.kubernetes.io/selected-node";
export const annBetaStorageClass = "volume.beta.kubernetes.io/storage-class";
export const annDefaultStorageClass = "storageclass.kubernetes.io/is-default-class";
export const annBetaDefaultStorageClass = "storageclass.beta.kubernetes.io/is-default-class";

export const pvcProtectionFinalizer = "kubernetes.io/pvc-protection";
export const pvProtectionFinalizer = "kubernetes.io/pv-protection";

export const hasAnnotation = (obj: KubeObject, key: string): boolean =>
  Object.hasOwn(obj.metadata?.annotations ?? {}, key);

/** `GetPersistentVolumeClaimClass`: the beta annotation wins over spec.storageClassName. */
export function claimClass(claim: PersistentVolumeClaim): string {
  const beta = claim.metadata?.annotations?.[annBetaStorageClass];
  return beta ?? claim.spec?.storageClassName ?? "";
}

/** `PersistentVolumeClaimHasClass`: the user asked for a class (even ""). */
export function claimHasClass(claim: PersistentVolumeClaim): boolean {
  return hasAnnotation(claim, annBetaStorageClass) || claim.spec?.storageClassName !== undefined;
}

/** `GetPersistentVolumeClass`. */
export function volumeClass(volume: PersistentVolume): string {
  const beta = volume.metadata?.annotations?.[annBetaStorageClass];
  return beta ?? volume.spec?.storageClassName ?? "";
}

export const claimKey = (claim: PersistentVolumeClaim): string =>
  `${claim.metadata?.namespace ?? ""}/${claim.metadata?.name ?? ""}`;

export const claimRefKey = (ref: ObjectReference): string =>
  `${ref.namespace ?? ""}/${ref.name ?? ""}`;

/** `IsVolumeBoundToClaim`: the claimRef names the claim (and its uid, once set). */
export function isVolumeBoundToClaim(volume: PersistentVolume, claim: PersistentVolumeClaim) {
  const ref = volume.spec?.claimRef;
  if (!ref) return false;
  if (ref.name !== claim.metadata?.name || ref.namespace !== claim.metadata?.namespace) {
    return false;
  }
  return !ref.uid || ref.uid === claim.metadata?.uid;
}

/** `CheckVolumeModeMismatches` (both default to Filesystem). */
export function volumeModeMismatch(volume: PersistentVolume, claim: PersistentVolumeClaim) {
  return (volume.spec?.volumeMode ?? "Filesystem") !== (claim.spec?.volumeMode ?? "Filesystem");
}

/** `CheckAccessModes`: the volume offers every mode the claim asks for. */
export function accessModesSatisfied(volume: PersistentVolume, claim: PersistentVolumeClaim) {
  const offered = new Set(volume.spec?.accessModes ?? []);
  return (claim.spec?.accessModes ?? []).every((m) => offered.has(m));
}

/** A quantity's value in bytes; unparsable or missing counts as 0. */
export function storageQuantity(text: string | undefined): Quantity {
  try {
    return Quantity.parse(text ?? "0");
  } catch {
    return Quantity.parse("0");
  }
}

export const requestedStorage = (claim: PersistentVolumeClaim): Quantity =>
  storageQuantity(claim.spec?.resources?.requests?.storage);

export const volumeStorage = (volume: PersistentVolume): Quantity =>
  storageQuantity(volume.spec?.capacity?.storage);

/** `reference.GetReference` for a claim: what a volume's claimRef holds. */
export function claimReference(claim: PersistentVolumeClaim): ObjectReference {
  const meta = claim.metadata ?? {};
  return {
    kind: "PersistentVolumeClaim",
    namespace: meta.namespace ?? "",
    name: meta.name ?? "",
    uid: meta.uid ?? "",
    apiVersion: "v1",
    resourceVersion: meta.resourceVersion ?? "",
  };
}

/** `GetDefaultClass`: the newest class annotated default (ties: the smallest name). */
export function defaultStorageClass(classes: readonly StorageClass[]): StorageClass | undefined {
  const isDefault = (sc: StorageClass) =>
    sc.metadata?.annotations?.[annDefaultStorageClass] === "true" ||
    sc.metadata?.annotations?.[annBetaDefaultStorageClass] === "true";
  const created = (sc: StorageClass) => Date.parse(sc.metadata?.creationTimestamp ?? "") || 0;
  const name = (sc: StorageClass) => sc.metadata?.name ?? "";
  return classes
    .filter(isDefault)
    .sort((a, b) => created(b) - created(a) || compareStrings(name(a), name(b)))[0];
}

/** Names of the claims a pod's volumes use (generic ephemeral volumes: `<pod>-<volume>`). */
export function podClaimNames(pod: Pod): string[] {
  return (pod.spec?.volumes ?? []).flatMap((v) => {
    if (v.persistentVolumeClaim) return [v.persistentVolumeClaim.claimName];
    if (v.ephemeral) return [`${pod.metadata?.name ?? ""}-${v.name}`];
    return [];
  });
}

/** `IsPodTerminated`: Failed or Succeeded, or deleted with no container still running. */
export function isPodTerminated(pod: Pod): boolean {
  const phase = pod.status?.phase;
  if (phase === "Failed" || phase === "Succeeded") return true;
  if (!pod.metadata?.deletionTimestamp) return false;
  const s = pod.status ?? {};
  const statuses = [
    ...(s.initContainerStatuses ?? []),
    ...(s.containerStatuses ?? []),
    ...(s.ephemeralContainerStatuses ?? []),
  ];
  return statuses.every((c) => !c.state?.running);
}

/** A resourceVersion as a number, to tell which of two copies of an object is newer. */
export const revisionOf = (obj: KubeObject | undefined): number =>
  Number(obj?.metadata?.resourceVersion ?? 0) || 0;
