/**
 * storage.k8s.io/v1 VolumeAttributesClass (GA in v1.34; upstream `ValidateVolumeAttributesClass`,
 * `ValidateVolumeAttributesClassUpdate`, `printVolumeAttributesClass`). Cluster-scoped; the driver
 * name and parameters are fixed once created. Stored and served only: no CSI driver on Bosun
 * applies the parameters (PersistentVolumes and claims may still name a class).
 */
import * as field from "../../../machinery/field-errors.ts";
import { newPath } from "../../../machinery/field-path.ts";
import { isQualifiedName } from "../../../machinery/validation.ts";
import type { StorageV1VolumeAttributesClass } from "../../generated/types.ts";
import { column } from "../../printer.ts";
import type { ResourceDefinition } from "../../resource.ts";
import type { Strategy } from "../../strategy.ts";
import {
  ageColumn,
  ageOf,
  type FieldErrors,
  invalidEach,
  nameColumn,
  nameOf,
  type Obj,
  sameValue,
} from "../core/common.ts";
import { validateParameters } from "../core/storage-class.ts";

type VolumeAttributesClassObj = Obj<StorageV1VolumeAttributesClass>;

/** `ValidateVolumeAttributesClass`: the driver name is checked as a provisioner name. */
export function validateVolumeAttributesClass(vac: VolumeAttributesClassObj): FieldErrors {
  const errs: FieldErrors = [];
  const driver = vac.driverName ?? "";
  if (driver === "") errs.push(field.required(newPath("driverName"), ""));
  else {
    const lower = driver.toLowerCase();
    errs.push(...invalidEach(newPath("driverName"), lower, isQualifiedName(lower)));
  }
  errs.push(...validateParameters(vac.parameters ?? {}, false));
  return errs;
}

/** `ValidateVolumeAttributesClassUpdate`. */
export function validateVolumeAttributesClassUpdate(
  vac: VolumeAttributesClassObj,
  old: VolumeAttributesClassObj,
): FieldErrors {
  const errs: FieldErrors = [];
  if (vac.driverName !== old.driverName) {
    errs.push(field.forbidden(newPath("driverName"), "updates to driverName are forbidden."));
  }
  if (!sameValue(vac.parameters, old.parameters)) {
    errs.push(field.forbidden(newPath("parameters"), "updates to parameters are forbidden."));
  }
  return [...errs, ...validateVolumeAttributesClass(vac)];
}

export const volumeAttributesClassStrategy: Strategy<VolumeAttributesClassObj> = {
  validate: validateVolumeAttributesClass,
  validateUpdate: validateVolumeAttributesClassUpdate,
  printer: {
    columns: [
      nameColumn(),
      column("DriverName", {
        description: "Name of the CSI driver This field is immutable.",
      }),
      ageColumn(),
    ],
    row: (vac, now) => [nameOf(vac), vac.driverName ?? "", ageOf(vac, now)],
  },
};

export const volumeAttributesClassResource: ResourceDefinition<VolumeAttributesClassObj> = {
  group: "storage.k8s.io",
  version: "v1",
  kind: "VolumeAttributesClass",
  plural: "volumeattributesclasses",
  singular: "volumeattributesclass",
  shortNames: ["vac"],
  namespaced: false,
  strategy: volumeAttributesClassStrategy,
};
