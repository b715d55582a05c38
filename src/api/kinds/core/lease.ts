/**
 * coordination.k8s.io/v1 Lease (upstream `pkg/apis/coordination/validation`,
 * `pkg/registry/coordination/lease/strategy.go`, `printLease`). Leader election and node
 * heartbeats PUT leases into existence.
 */
import * as field from "../../../machinery/field-errors.ts";
import { newPath } from "../../../machinery/field-path.ts";
import { isQualifiedName } from "../../../machinery/validation.ts";
import type { Lease } from "../../generated/types.ts";
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
} from "./common.ts";

type LeaseObj = Obj<Lease>;

const leaseStrategies = ["OldestEmulationVersion"];

/** `ValidateLeaseSpec`. */
export function validateLease(lease: LeaseObj): FieldErrors {
  const spec = lease.spec ?? {};
  const path = newPath("spec");
  const errs: FieldErrors = [];
  if (spec.leaseDurationSeconds !== undefined && spec.leaseDurationSeconds <= 0) {
    const p = path.child("leaseDurationSeconds");
    errs.push(field.invalid(p, spec.leaseDurationSeconds, "must be greater than 0"));
  }
  if (spec.leaseTransitions !== undefined && spec.leaseTransitions < 0) {
    const p = path.child("leaseTransitions");
    errs.push(field.invalid(p, spec.leaseTransitions, "must be greater than or equal to 0"));
  }
  const strategy = spec.strategy;
  if (strategy !== undefined) {
    const p = path.child("strategy");
    if (!strategy.includes("/")) {
      if (!leaseStrategies.includes(strategy))
        errs.push(field.notSupported(p, strategy, leaseStrategies));
    } else errs.push(...invalidEach(p, strategy, isQualifiedName(strategy)));
  }
  if ((spec.preferredHolder ?? "") !== "" && (strategy ?? "") === "") {
    const msg = "may only be specified if `strategy` is defined";
    errs.push(field.forbidden(path.child("preferredHolder"), msg));
  }
  return errs;
}

export const leaseStrategy: Strategy<LeaseObj> = {
  allowCreateOnUpdate: true,
  validate: validateLease,
  printer: {
    columns: [
      nameColumn(),
      column("Holder", {
        description: "holderIdentity contains the identity of the holder of a current lease.",
      }),
      ageColumn(),
    ],
    row: (lease, now) => [nameOf(lease), lease.spec?.holderIdentity ?? "", ageOf(lease, now)],
  },
};

export const leaseResource: ResourceDefinition<LeaseObj> = {
  group: "coordination.k8s.io",
  version: "v1",
  kind: "Lease",
  plural: "leases",
  singular: "lease",
  namespaced: true,
  strategy: leaseStrategy,
};
