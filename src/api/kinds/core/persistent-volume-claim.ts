/**
 * core/v1 PersistentVolumeClaim (upstream `SetDefaults_PersistentVolumeClaim*`,
 * `pkg/registry/core/persistentvolumeclaim/strategy.go`, `printPersistentVolumeClaim`).
 */
import type { PersistentVolumeClaim } from "../../generated/types.ts";
import { column } from "../../printer.ts";
import type { ResourceDefinition } from "../../resource.ts";
import type { Strategy } from "../../strategy.ts";
import { ageColumn, ageOf, nameColumn, nameOf, type Obj, quantityString } from "./common.ts";
import {
  validatePersistentVolumeClaimSpec,
  validatePersistentVolumeClaimStatus,
  validatePersistentVolumeClaimUpdateRules,
} from "./persistent-volume-claim-spec.ts";
import { accessModesString, storageClassOf } from "./volume-common.ts";

type PVCObj = Obj<PersistentVolumeClaim>;

function pvcRow(pvc: PVCObj, now: number) {
  const volumeName = pvc.spec?.volumeName ?? "";
  const bound = volumeName !== "";
  return [
    nameOf(pvc),
    pvc.metadata?.deletionTimestamp ? "Terminating" : (pvc.status?.phase ?? ""),
    volumeName,
    bound ? quantityString(pvc.status?.capacity?.storage) : "",
    bound ? accessModesString(pvc.status?.accessModes) : "",
    storageClassOf(pvc.metadata?.annotations, pvc.spec?.storageClassName),
    pvc.spec?.volumeAttributesClassName ?? "<unset>",
    ageOf(pvc, now),
    pvc.spec?.volumeMode ?? "<unset>",
  ];
}

export const persistentVolumeClaimStrategy: Strategy<PVCObj> = {
  defaults(pvc) {
    pvc.spec ??= {};
    pvc.spec.volumeMode ??= "Filesystem";
    if ((pvc.status?.phase ?? "") === "") pvc.status = { ...pvc.status, phase: "Pending" };
  },
  prepareForCreate(pvc) {
    pvc.status = { phase: "Pending" };
  },
  validate: (pvc) => validatePersistentVolumeClaimSpec(pvc.spec),
  validateUpdate: (pvc, old) => [
    ...validatePersistentVolumeClaimSpec(pvc.spec),
    ...validatePersistentVolumeClaimUpdateRules(pvc, old),
  ],
  validateStatusUpdate: validatePersistentVolumeClaimStatus,
  selectableFields: (pvc) => ({ name: nameOf(pvc) }),
  printer: {
    columns: [
      nameColumn(),
      column("Status", {
        description: "phase represents the current phase of PersistentVolumeClaim.",
      }),
      column("Volume", {
        description:
          "volumeName is the binding reference to the PersistentVolume backing this claim.",
      }),
      column("Capacity", {
        description: "capacity represents the actual resources of the underlying volume.",
      }),
      column("Access Modes", {
        description: "accessModes contains the actual access modes the volume backing the PVC has.",
      }),
      column("StorageClass", { description: "StorageClass of the pvc" }),
      column("VolumeAttributesClass", { description: "VolumeAttributesClass of the pvc" }),
      ageColumn(),
      column("VolumeMode", {
        priority: 1,
        description: "volumeMode defines what type of volume is required by the claim.",
      }),
    ],
    row: pvcRow,
  },
};

export const persistentVolumeClaimResource: ResourceDefinition<PVCObj> = {
  group: "",
  version: "v1",
  kind: "PersistentVolumeClaim",
  plural: "persistentvolumeclaims",
  singular: "persistentvolumeclaim",
  shortNames: ["pvc"],
  namespaced: true,
  subresources: ["status"],
  strategy: persistentVolumeClaimStrategy,
};
