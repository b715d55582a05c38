/**
 * storage.k8s.io/v1 CSIStorageCapacity (upstream `ValidateCSIStorageCapacity`,
 * `ValidateCSIStorageCapacityUpdate`, `printCSIStorageCapacity`). Namespaced. Stored and served
 * only: no CSI driver publishes capacity on Bosun, and the scheduler's volume binding does not
 * read these objects.
 */
import * as field from "../../../machinery/field-errors.ts";
import { type FieldPath, newPath } from "../../../machinery/field-path.ts";
import { isNegativeErrorMsg } from "../../../machinery/object-meta.ts";
import type { CSIStorageCapacity } from "../../generated/types.ts";
import { column } from "../../printer.ts";
import type { ResourceDefinition } from "../../resource.ts";
import type { Strategy } from "../../strategy.ts";
import {
  type FieldErrors,
  nameColumn,
  nameOf,
  type Obj,
  quantityString,
  sameValue,
} from "../core/common.ts";
import { quantityAt, validateClassName } from "../core/volume-common.ts";
import { validateLabelSelector } from "../workloads/label-selector.ts";

type CSIStorageCapacityObj = Obj<CSIStorageCapacity>;

/** `ValidateNonnegativeQuantity`. */
function validateNonnegativeQuantity(raw: string | number | undefined, path: FieldPath) {
  const errs: FieldErrors = [];
  const q = quantityAt(raw, path, errs);
  if (q !== undefined && q.sign() < 0)
    errs.push(field.invalid(path, q.toString(), isNegativeErrorMsg));
  return errs;
}

/**
 * `ValidateCSIStorageCapacity`. Upstream checks only `capacity`; `maximumVolumeSize` must parse
 * but may be negative, as there.
 */
export function validateCSIStorageCapacity(c: CSIStorageCapacityObj): FieldErrors {
  const errs = validateLabelSelector(c.nodeTopology, newPath("nodeTopology"));
  errs.push(...validateClassName(c.storageClassName ?? "", newPath("storageClassName")));
  errs.push(...validateNonnegativeQuantity(c.capacity, newPath("capacity")));
  quantityAt(c.maximumVolumeSize, newPath("maximumVolumeSize"), errs);
  return errs;
}

/** `ValidateCSIStorageCapacityUpdate`: the inputs of CSI GetCapacity are immutable. */
export function validateCSIStorageCapacityUpdate(
  c: CSIStorageCapacityObj,
  old: CSIStorageCapacityObj,
): FieldErrors {
  const errs = validateCSIStorageCapacity(c);
  if (!sameValue(c.nodeTopology, old.nodeTopology)) {
    errs.push(field.invalid(newPath("nodeTopology"), c.nodeTopology ?? null, "field is immutable"));
  }
  if (c.storageClassName !== old.storageClassName) {
    const name = c.storageClassName ?? "";
    errs.push(field.invalid(newPath("storageClassName"), name, "field is immutable"));
  }
  return errs;
}

export const csiStorageCapacityStrategy: Strategy<CSIStorageCapacityObj> = {
  validate: validateCSIStorageCapacity,
  validateUpdate: validateCSIStorageCapacityUpdate,
  printer: {
    // Upstream's table has no AGE column for this kind.
    columns: [
      nameColumn(),
      column("StorageClassName", {
        description:
          "storageClassName represents the name of the StorageClass that the reported capacity applies to.",
      }),
      column("Capacity", {
        description:
          "capacity is the value reported by the CSI driver in its GetCapacityResponse for a GetCapacityRequest with topology and parameters that match the previous fields.",
      }),
    ],
    row: (c) => [
      nameOf(c),
      c.storageClassName ?? "",
      c.capacity === undefined ? "<unset>" : quantityString(c.capacity),
    ],
  },
};

export const csiStorageCapacityResource: ResourceDefinition<CSIStorageCapacityObj> = {
  group: "storage.k8s.io",
  version: "v1",
  kind: "CSIStorageCapacity",
  plural: "csistoragecapacities",
  singular: "csistoragecapacity",
  namespaced: true,
  strategy: csiStorageCapacityStrategy,
};
