/**
 * What the local-path provisioner creates for a claim (k3s local-path-provisioner's `Provision`
 * plus what sig-storage-lib-external-provisioner adds): a hostPath volume on the selected node,
 * sized as requested (not enforced: a directory has no quota), pre-bound to the claim.
 * See `src/api/storage/local-path.ts` for the conventions.
 */
import type { Node } from "../../../api/generated/types.ts";
import {
  defaultLocalPathStorageDir,
  localPathCleanupFinalizer,
  localPathNodeLabel,
  localPathProvisioner,
  localPathStorageDirAnnotation,
  localPathVolumeDir,
} from "../../../api/storage/local-path.ts";
import {
  annDynamicallyProvisioned,
  claimReference,
  type PersistentVolume,
  type PersistentVolumeClaim,
  type StorageClass,
} from "../common/volume-util.ts";

const hostnameLabel = "kubernetes.io/hostname";

/** `getProvisionedVolumeNameForClaim`. */
export const provisionedVolumeName = (claim: PersistentVolumeClaim): string =>
  `pvc-${claim.metadata?.uid ?? ""}`;

/** Why the claim cannot have a local-path volume (k3s's messages), if it cannot. */
export function unsupportedClaim(claim: PersistentVolumeClaim): string | undefined {
  if (claim.spec?.selector) return "claim.Spec.Selector is not supported";
  for (const mode of claim.spec?.accessModes ?? []) {
    if (mode !== "ReadWriteOnce" && mode !== "ReadWriteOncePod") {
      return "NodePath only supports ReadWriteOnce and ReadWriteOncePod (1.22+) access modes";
    }
  }
  if (claim.spec?.volumeMode === "Block") return "local-path only supports volumeMode Filesystem";
  return undefined;
}

/** The node's storage directory: its published annotation, else the default. */
export function nodeStorageDir(node: Node): string {
  return node.metadata?.annotations?.[localPathStorageDirAnnotation] || defaultLocalPathStorageDir;
}

export function localPathVolume(options: {
  claim: PersistentVolumeClaim;
  storageClass: StorageClass;
  node: Node;
}): PersistentVolume {
  const { claim, storageClass, node } = options;
  const nodeName = node.metadata?.name ?? "";
  const name = provisionedVolumeName(claim);
  const path = localPathVolumeDir(
    nodeStorageDir(node),
    name,
    claim.metadata?.namespace ?? "",
    claim.metadata?.name ?? "",
  );
  const hostname = node.metadata?.labels?.[hostnameLabel] ?? nodeName;
  return {
    apiVersion: "v1",
    kind: "PersistentVolume",
    metadata: {
      name,
      labels: { [localPathNodeLabel]: nodeName },
      annotations: { [annDynamicallyProvisioned]: localPathProvisioner },
      finalizers: [localPathCleanupFinalizer],
    },
    spec: {
      capacity: { storage: claim.spec?.resources?.requests?.storage ?? "0" },
      accessModes: claim.spec?.accessModes ?? ["ReadWriteOnce"],
      persistentVolumeReclaimPolicy: storageClass.reclaimPolicy ?? "Delete",
      storageClassName: storageClass.metadata?.name ?? "",
      volumeMode: "Filesystem",
      hostPath: { path, type: "DirectoryOrCreate" },
      nodeAffinity: {
        required: {
          nodeSelectorTerms: [
            { matchExpressions: [{ key: hostnameLabel, operator: "In", values: [hostname] }] },
          ],
        },
      },
      claimRef: claimReference(claim),
      ...(storageClass.mountOptions?.length ? { mountOptions: storageClass.mountOptions } : {}),
    },
  };
}
