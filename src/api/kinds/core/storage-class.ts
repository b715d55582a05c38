/**
 * storage.k8s.io/v1 StorageClass (upstream `SetDefaults_StorageClass`,
 * `pkg/apis/storage/validation`, `printStorageClass`). Cluster-scoped; the provisioner,
 * parameters, reclaim policy and binding mode are fixed once created.
 */
import * as field from "../../../machinery/field-errors.ts";
import { newPath } from "../../../machinery/field-path.ts";
import { byteLength } from "../../../machinery/go-format.ts";
import { isQualifiedName } from "../../../machinery/validation.ts";
import type { StorageClass } from "../../generated/types.ts";
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
  validateImmutableField,
} from "./common.ts";

type StorageClassObj = Obj<StorageClass>;

const maxParameterSize = 256 * 1024;
const maxParameterCount = 512;
const reclaimPolicies = ["Delete", "Retain"];
const bindingModes = ["Immediate", "WaitForFirstConsumer"];
const defaultAnnotations = [
  "storageclass.kubernetes.io/is-default-class",
  "storageclass.beta.kubernetes.io/is-default-class",
];

/**
 * `validateParameters`: at most 512 pairs and 256 KiB, no empty key; with `allowEmpty` false
 * (VolumeAttributesClass) at least one pair.
 */
export function validateParameters(params: Record<string, string>, allowEmpty = true): FieldErrors {
  const path = newPath("parameters");
  const entries = Object.entries(params);
  if (entries.length > maxParameterCount) return [field.tooLong(path, maxParameterCount)];
  const errs: FieldErrors = [];
  let total = 0;
  for (const [key, value] of entries) {
    if (key === "") errs.push(field.invalid(path, key, "field can not be empty."));
    total += byteLength(key) + byteLength(value);
  }
  if (total > maxParameterSize) errs.push(field.tooLong(path, maxParameterSize));
  if (!allowEmpty && entries.length === 0) {
    errs.push(field.required(path, "must contain at least one key/value pair"));
  }
  return errs;
}

/** `ValidateStorageClass` beyond object meta. */
export function validateStorageClass(sc: StorageClassObj): FieldErrors {
  const errs: FieldErrors = [];
  const provisioner = sc.provisioner ?? "";
  if (provisioner === "") errs.push(field.required(newPath("provisioner")));
  else {
    const lower = provisioner.toLowerCase();
    errs.push(...invalidEach(newPath("provisioner"), lower, isQualifiedName(lower)));
  }
  errs.push(...validateParameters(sc.parameters ?? {}));
  const policy = sc.reclaimPolicy ?? "";
  if (policy !== "" && !reclaimPolicies.includes(policy)) {
    errs.push(field.notSupported(newPath("reclaimPolicy"), policy, reclaimPolicies));
  }
  const mode = sc.volumeBindingMode;
  if (mode === undefined) errs.push(field.required(newPath("volumeBindingMode")));
  else if (!bindingModes.includes(mode)) {
    errs.push(field.notSupported(newPath("volumeBindingMode"), mode, bindingModes));
  }
  return errs;
}

/** `ValidateStorageClassUpdate`: only metadata, mount options and expansion may change. */
export function validateStorageClassUpdate(sc: StorageClassObj, old: StorageClassObj): FieldErrors {
  const errs: FieldErrors = [];
  if (!sameValue(sc.parameters, old.parameters)) {
    errs.push(field.forbidden(newPath("parameters"), "updates to parameters are forbidden."));
  }
  if (sc.provisioner !== old.provisioner) {
    errs.push(field.forbidden(newPath("provisioner"), "updates to provisioner are forbidden."));
  }
  if (sc.reclaimPolicy !== old.reclaimPolicy) {
    errs.push(field.forbidden(newPath("reclaimPolicy"), "updates to reclaimPolicy are forbidden."));
  }
  errs.push(
    ...validateImmutableField(
      sc.volumeBindingMode,
      old.volumeBindingMode,
      newPath("volumeBindingMode"),
    ),
  );
  return [...errs, ...validateStorageClass(sc)];
}

export function isDefaultStorageClass(sc: StorageClassObj): boolean {
  return defaultAnnotations.some((a) => sc.metadata?.annotations?.[a] === "true");
}

export const storageClassStrategy: Strategy<StorageClassObj> = {
  defaults(sc) {
    sc.reclaimPolicy ??= "Delete";
    sc.volumeBindingMode ??= "Immediate";
  },
  validate: validateStorageClass,
  validateUpdate: validateStorageClassUpdate,
  printer: {
    columns: [
      nameColumn(),
      column("Provisioner", { description: "provisioner indicates the type of the provisioner." }),
      column("ReclaimPolicy", {
        description:
          "reclaimPolicy controls the reclaimPolicy for dynamically provisioned PersistentVolumes.",
      }),
      column("VolumeBindingMode", {
        description:
          "volumeBindingMode indicates how PersistentVolumeClaims should be provisioned and bound.",
      }),
      column("AllowVolumeExpansion", {
        description: "allowVolumeExpansion shows whether the storage class allow volume expand.",
      }),
      ageColumn(),
    ],
    row: (sc, now) => [
      isDefaultStorageClass(sc) ? `${nameOf(sc)} (default)` : nameOf(sc),
      sc.provisioner ?? "",
      sc.reclaimPolicy ?? "Delete",
      sc.volumeBindingMode ?? "Immediate",
      sc.allowVolumeExpansion ?? false,
      ageOf(sc, now),
    ],
  },
};

export const storageClassResource: ResourceDefinition<StorageClassObj> = {
  group: "storage.k8s.io",
  version: "v1",
  kind: "StorageClass",
  plural: "storageclasses",
  singular: "storageclass",
  shortNames: ["sc"],
  namespaced: false,
  strategy: storageClassStrategy,
};
