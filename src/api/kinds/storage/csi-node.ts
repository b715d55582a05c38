/**
 * storage.k8s.io/v1 CSINode (upstream `ValidateCSINode`, `ValidateCSINodeUpdate`,
 * `printCSINode`). Cluster-scoped, named after its Node. Stored and served only: Bosun's kubelet
 * has no CSI support and never registers drivers here, so these objects come from clients.
 */
import * as field from "../../../machinery/field-errors.ts";
import { type FieldPath, newPath } from "../../../machinery/field-path.ts";
import { byteLength } from "../../../machinery/go-format.ts";
import { isQualifiedName } from "../../../machinery/validation.ts";
import type { CSINode, CSINodeDriver } from "../../generated/types.ts";
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
  validateImmutableField,
} from "../core/common.ts";
import { validateNonnegativeField } from "../workloads/common.ts";
import { validateCSIDriverName } from "./csi-driver-name.ts";

type CSINodeObj = Obj<CSINode>;

/** The strategy validates with `AllowLongNodeID: true` (192 is the limit only for old clients). */
const maxNodeIDLength = 256;

/** `validateCSINodeDriver`; topology-key errors sit at the driver's path, as upstream's do. */
function validateDriver(driver: CSINodeDriver, seen: Set<string>, path: FieldPath): FieldErrors {
  const name = driver.name ?? "";
  const errs = validateCSIDriverName(name, path.child("name"));
  const nodeID = driver.nodeID ?? "";
  if (nodeID === "") errs.push(field.required(path.child("nodeID"), ""));
  if (byteLength(nodeID) > maxNodeIDLength) {
    const msg = `must be ${maxNodeIDLength} characters or less`;
    errs.push(field.invalid(path.child("nodeID"), nodeID, msg));
  }
  const count = driver.allocatable?.count;
  if (count !== undefined && count !== null) {
    errs.push(...validateNonnegativeField(count, path.child("allocatable", "count")));
  }
  if (seen.has(name)) errs.push(field.duplicate(path.child("name"), name));
  seen.add(name);
  const keys = new Set<string>();
  for (const key of driver.topologyKeys ?? []) {
    if (key === "") errs.push(field.required(path, ""));
    if (keys.has(key)) errs.push(field.duplicate(path, key));
    keys.add(key);
    errs.push(...invalidEach(path, key, isQualifiedName(key)));
  }
  return errs;
}

export function validateCSINode(node: CSINodeObj): FieldErrors {
  const path = newPath("spec", "drivers");
  const seen = new Set<string>();
  return (node.spec?.drivers ?? []).flatMap((d, i) => validateDriver(d, seen, path.index(i)));
}

const withoutAllocatable = ({ allocatable: _, ...rest }: CSINodeDriver) => rest;

/**
 * `ValidateCSINodeUpdate`: a driver already registered may not change, except its allocatable
 * count (MutableCSINodeAllocatableCount, beta and on in v1.34). Drivers may be added or removed.
 */
export function validateCSINodeUpdate(node: CSINodeObj, old: CSINodeObj): FieldErrors {
  const errs = validateCSINode(node);
  for (const before of old.spec?.drivers ?? []) {
    for (const after of node.spec?.drivers ?? []) {
      if (before.name !== after.name) continue;
      errs.push(
        ...validateImmutableField(
          withoutAllocatable(after),
          withoutAllocatable(before),
          newPath("spec", "drivers"),
        ),
      );
    }
  }
  return errs;
}

export const csiNodeStrategy: Strategy<CSINodeObj> = {
  validate: validateCSINode,
  validateUpdate: validateCSINodeUpdate,
  printer: {
    columns: [
      nameColumn(),
      column("Drivers", {
        type: "integer",
        description: "Drivers indicates the number of CSI drivers registered on the node",
      }),
      ageColumn(),
    ],
    row: (node, now) => [nameOf(node), (node.spec?.drivers ?? []).length, ageOf(node, now)],
  },
};

export const csiNodeResource: ResourceDefinition<CSINodeObj> = {
  group: "storage.k8s.io",
  version: "v1",
  kind: "CSINode",
  plural: "csinodes",
  singular: "csinode",
  namespaced: false,
  strategy: csiNodeStrategy,
};
