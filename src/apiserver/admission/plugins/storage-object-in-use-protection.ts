/**
 * StorageObjectInUseProtection (upstream `plugin/pkg/admission/storage/storageobjectinuseprotection`):
 * every new PersistentVolume gets the `kubernetes.io/pv-protection` finalizer and every new
 * PersistentVolumeClaim `kubernetes.io/pvc-protection`, so neither disappears while in use; the
 * pv-protection and pvc-protection controllers remove them once it is safe. CREATE of the main
 * resource only; reads nothing.
 */
import type { AdmissionPlugin } from "../admission.ts";
import { isResource } from "./forbidden.ts";

export const pvProtectionFinalizer = "kubernetes.io/pv-protection";
export const pvcProtectionFinalizer = "kubernetes.io/pvc-protection";

export function storageObjectInUseProtectionAdmission(): AdmissionPlugin {
  return {
    name: "StorageObjectInUseProtection",
    async admit(attrs) {
      if (attrs.operation !== "CREATE" || attrs.subresource !== "" || !attrs.object) return;
      let finalizer: string;
      if (isResource(attrs, "", "persistentvolumes")) finalizer = pvProtectionFinalizer;
      else if (isResource(attrs, "", "persistentvolumeclaims")) finalizer = pvcProtectionFinalizer;
      else return;
      attrs.object.metadata ??= {};
      const meta = attrs.object.metadata;
      const finalizers = meta.finalizers ?? [];
      if (!finalizers.includes(finalizer)) meta.finalizers = [...finalizers, finalizer];
    },
  };
}
