/**
 * core/v1 PersistentVolume (upstream `SetDefaults_PersistentVolume`,
 * `pkg/registry/core/persistentvolume/strategy.go`, `printPersistentVolume`). Cluster-scoped;
 * created Pending, the volume controller moves the phase through the status subresource.
 */

import { formatTime } from "../../../machinery/time.ts";
import type { PersistentVolume } from "../../generated/types.ts";
import { column } from "../../printer.ts";
import type { ResourceDefinition } from "../../resource.ts";
import type { Strategy } from "../../strategy.ts";
import { ageColumn, ageOf, nameColumn, nameOf, type Obj, quantityString } from "./common.ts";
import {
  validatePersistentVolumeSpec,
  validatePersistentVolumeUpdateRules,
} from "./persistent-volume-spec.ts";
import { accessModesString, storageClassOf } from "./volume-common.ts";

type PVObj = Obj<PersistentVolume>;

function claimOf(pv: PVObj): string {
  const ref = pv.spec?.claimRef;
  return ref ? `${ref.namespace ?? ""}/${ref.name ?? ""}` : "";
}

export const persistentVolumeStrategy: Strategy<PVObj> = {
  defaults(pv) {
    pv.spec ??= {};
    pv.spec.persistentVolumeReclaimPolicy ??= "Retain";
    pv.spec.volumeMode ??= "Filesystem";
    // Go's status is a value, so SetDefaults_PersistentVolume always sees one.
    if ((pv.status?.phase ?? "") === "") pv.status = { ...pv.status, phase: "Pending" };
  },
  prepareForCreate(pv, now) {
    pv.status = { phase: "Pending", lastPhaseTransitionTime: formatTime(now) };
  },
  // Upstream's persistentvolumeStatusStrategy.PrepareForUpdate (PersistentVolumeLastPhaseTransitionTime).
  prepareForStatusUpdate(pv, old, now) {
    const status = pv.status ?? {};
    const before = old.status ?? {};
    if (status.phase === before.phase) {
      if (status.lastPhaseTransitionTime === undefined && before.lastPhaseTransitionTime) {
        status.lastPhaseTransitionTime = before.lastPhaseTransitionTime;
      }
    } else if (
      status.lastPhaseTransitionTime === undefined ||
      status.lastPhaseTransitionTime === before.lastPhaseTransitionTime
    ) {
      status.lastPhaseTransitionTime = formatTime(now);
    }
    pv.status = status;
  },
  validate: (pv) => validatePersistentVolumeSpec(pv.spec),
  validateUpdate: (pv, old) => [
    ...validatePersistentVolumeSpec(pv.spec),
    ...validatePersistentVolumeUpdateRules(pv, old),
  ],
  validateStatusUpdate: () => [],
  selectableFields: (pv) => ({ name: nameOf(pv) }),
  printer: {
    columns: [
      nameColumn(),
      column("Capacity", {
        description:
          "capacity is the description of the persistent volume's resources and capacity.",
      }),
      column("Access Modes", {
        description: "accessModes contains all ways the volume can be mounted.",
      }),
      column("Reclaim Policy", {
        description: "What happens to a persistent volume when released from its claim.",
      }),
      column("Status", {
        description:
          "phase indicates if a volume is available, bound to a claim, or released by a claim.",
      }),
      column("Claim", {
        description:
          "claimRef is part of a bi-directional binding between PersistentVolume and PersistentVolumeClaim.",
      }),
      column("StorageClass", { description: "StorageClass of the pv" }),
      column("VolumeAttributesClass", { description: "VolumeAttributesClass of the pv" }),
      column("Reason", {
        description: "reason is a brief CamelCase string that describes any failure.",
      }),
      ageColumn(),
      column("VolumeMode", {
        priority: 1,
        description:
          "volumeMode defines if a volume is intended to be used with a formatted filesystem or to remain in raw block state.",
      }),
    ],
    row: (pv, now) => [
      nameOf(pv),
      quantityString(pv.spec?.capacity?.storage),
      accessModesString(pv.spec?.accessModes),
      pv.spec?.persistentVolumeReclaimPolicy ?? "",
      pv.metadata?.deletionTimestamp ? "Terminating" : (pv.status?.phase ?? ""),
      claimOf(pv),
      storageClassOf(pv.metadata?.annotations, pv.spec?.storageClassName),
      pv.spec?.volumeAttributesClassName ?? "<unset>",
      pv.status?.reason ?? "",
      ageOf(pv, now),
      pv.spec?.volumeMode ?? "<unset>",
    ],
  },
};

export const persistentVolumeResource: ResourceDefinition<PVObj> = {
  group: "",
  version: "v1",
  kind: "PersistentVolume",
  plural: "persistentvolumes",
  singular: "persistentvolume",
  shortNames: ["pv"],
  namespaced: false,
  subresources: ["status"],
  strategy: persistentVolumeStrategy,
};
