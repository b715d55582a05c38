/**
 * DefaultStorageClass (upstream `plugin/pkg/admission/storage/storageclass/setdefault`): a new
 * PVC that names no class (no spec.storageClassName, not even "", and no beta annotation) gets
 * the default StorageClass, the one annotated `storageclass.kubernetes.io/is-default-class:
 * "true"` (or the beta annotation). With several defaults the newest wins, then the first name.
 *
 * Reads storage.k8s.io storageclasses from the `AdmissionReader`.
 */
import type { PersistentVolumeClaim, StorageClass } from "../../../api/generated/types.ts";
import type { AdmissionPlugin } from "../admission.ts";
import { isResource } from "./forbidden.ts";
import { type AdmissionReader, listAs } from "./reader.ts";

export const isDefaultStorageClassAnnotation = "storageclass.kubernetes.io/is-default-class";
export const betaIsDefaultStorageClassAnnotation =
  "storageclass.beta.kubernetes.io/is-default-class";
const betaStorageClassAnnotation = "volume.beta.kubernetes.io/storage-class";

export interface DefaultStorageClassOptions {
  readonly reader: AdmissionReader;
}

export function isDefaultAnnotation(sc: StorageClass): boolean {
  const annotations = sc.metadata?.annotations ?? {};
  return (
    annotations[isDefaultStorageClassAnnotation] === "true" ||
    annotations[betaIsDefaultStorageClassAnnotation] === "true"
  );
}

/** `GetDefaultClass`: the newest default class (ties: the smallest name), if any. */
export function defaultStorageClass(classes: readonly StorageClass[]): StorageClass | undefined {
  const created = (sc: StorageClass) => Date.parse(sc.metadata?.creationTimestamp ?? "") || 0;
  const name = (sc: StorageClass) => sc.metadata?.name ?? "";
  return classes
    .filter(isDefaultAnnotation)
    .sort(
      (a, b) => created(b) - created(a) || (name(a) < name(b) ? -1 : name(a) > name(b) ? 1 : 0),
    )[0];
}

export function defaultStorageClassAdmission(options: DefaultStorageClassOptions): AdmissionPlugin {
  return {
    name: "DefaultStorageClass",
    async admit(attrs) {
      if (attrs.operation !== "CREATE" || attrs.subresource !== "") return;
      if (!isResource(attrs, "", "persistentvolumeclaims") || attrs.object === undefined) return;
      const pvc = attrs.object as PersistentVolumeClaim;
      if (pvc.spec?.storageClassName !== undefined) return;
      if (pvc.metadata?.annotations?.[betaStorageClassAnnotation] !== undefined) return;
      const classes = listAs<StorageClass>(options.reader, "storage.k8s.io", "storageclasses", "");
      const def = defaultStorageClass(classes);
      if (def === undefined) return;
      pvc.spec = { ...pvc.spec, storageClassName: def.metadata?.name ?? "" };
    },
  };
}
