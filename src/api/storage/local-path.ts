/**
 * Bosun's built-in local-path storage (after k3s's `rancher.io/local-path`): the names and the
 * on-disk convention shared by the three parts that implement it — the default StorageClass the
 * API server creates at start, the provisioner in the controller manager
 * (`src/controllers/volume/localpath/`) and the node side in every agent
 * (`src/kubelet/local-path-storage.ts`).
 *
 * - Provisioner `bosun.dev/local-path`; StorageClass `local-path` (the default class,
 *   WaitForFirstConsumer, reclaim policy Delete).
 * - Claim `ns/name` with uid U, its pod scheduled on node N, gets PV `pvc-U`: a `hostPath` of
 *   type DirectoryOrCreate at `<storage dir of N>/pvc-U_ns_name`, pinned to N by required node
 *   affinity on `kubernetes.io/hostname`, labelled `local-path.bosun.dev/node: N` (so N's agent
 *   watches only its own volumes) and holding the finalizer `local-path.bosun.dev/cleanup`,
 *   which N's agent removes once it has deleted the directory.
 * - A node's storage dir is `<agent data dir>/storage` (`/var/lib/bosun/storage` by default);
 *   the agent publishes it in its Node's annotation `local-path.bosun.dev/storage-dir`.
 */
import type { StorageClass } from "../generated/types.ts";

export const localPathProvisioner = "bosun.dev/local-path";
export const localPathStorageClassName = "local-path";
/** PV label: the node whose disk holds the volume. */
export const localPathNodeLabel = "local-path.bosun.dev/node";
/** PV finalizer: the node has not yet deleted the directory. */
export const localPathCleanupFinalizer = "local-path.bosun.dev/cleanup";
/** Node annotation: where that node keeps local-path volumes. */
export const localPathStorageDirAnnotation = "local-path.bosun.dev/storage-dir";
/** Used when a node has not published its storage dir. */
export const defaultLocalPathStorageDir = "/var/lib/bosun/storage";

/** The default StorageClass, as the API server creates it at start. */
export function localPathStorageClass(): StorageClass {
  return {
    apiVersion: "storage.k8s.io/v1",
    kind: "StorageClass",
    metadata: {
      name: localPathStorageClassName,
      annotations: { "storageclass.kubernetes.io/is-default-class": "true" },
    },
    provisioner: localPathProvisioner,
    reclaimPolicy: "Delete",
    volumeBindingMode: "WaitForFirstConsumer",
  };
}

/** `<storageDir>/<pv>_<namespace>_<claim>`, as k3s names its folders. */
export function localPathVolumeDir(
  storageDir: string,
  pvName: string,
  namespace: string,
  claimName: string,
): string {
  return `${storageDir.replace(/\/+$/, "")}/${pvName}_${namespace}_${claimName}`;
}
