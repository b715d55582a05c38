/**
 * core/v1 ReplicationController validation (upstream `pkg/apis/core/validation`:
 * `ValidateReplicationControllerSpec`, `ValidateNonEmptySelector`, `ValidatePodTemplateSpecForRC`,
 * `ValidateReplicationControllerStatus`). Unlike a ReplicaSet's, the selector is a plain label
 * map and may change on update.
 */
import * as field from "../../../machinery/field-errors.ts";
import type { FieldPath } from "../../../machinery/field-path.ts";
import { selectorFromSet } from "../../../machinery/labels.ts";
import { isDNS1123Label } from "../../../machinery/validation.ts";
import type {
  ReplicationController,
  ReplicationControllerSpec,
  ReplicationControllerStatus,
} from "../../generated/types.ts";
import { validateReplicatedTemplate } from "./apps-validation.ts";
import { type FieldErrors, validateNonnegativeField } from "./common.ts";

/** `ValidateReplicationControllerSpec`. */
export function validateReplicationControllerSpec(
  spec: ReplicationControllerSpec | undefined,
  path: FieldPath,
): FieldErrors {
  const s = spec ?? {};
  const errs = validateNonnegativeField(s.minReadySeconds ?? 0, path.child("minReadySeconds"));
  const selector = selectorFromSet(s.selector);
  if (selector.isEmpty()) errs.push(field.required(path.child("selector"), ""));
  errs.push(...validateNonnegativeField(s.replicas ?? 0, path.child("replicas")));
  // `ValidatePodTemplateSpecForRC` is the ReplicaSet check with the selector built from the map.
  errs.push(
    ...validateReplicatedTemplate(
      s.template,
      selector,
      path.child("template"),
      "ReplicationController",
    ),
  );
  return errs;
}

const counters = [
  "replicas",
  "fullyLabeledReplicas",
  "readyReplicas",
  "availableReplicas",
  "observedGeneration",
] as const;

/** `ValidateReplicationControllerStatus`: counters not negative nor above what contains them. */
export function validateReplicationControllerStatus(
  status: ReplicationControllerStatus | undefined,
  path: FieldPath,
): FieldErrors {
  const s = status ?? { replicas: 0 };
  const errs: FieldErrors = [];
  for (const name of counters) {
    errs.push(...validateNonnegativeField(s[name] ?? 0, path.child(name)));
  }
  const replicas = s.replicas ?? 0;
  const ready = s.readyReplicas ?? 0;
  const available = s.availableReplicas ?? 0;
  const msg = "cannot be greater than status.replicas";
  const fullyLabeled = s.fullyLabeledReplicas ?? 0;
  if (fullyLabeled > replicas) {
    errs.push(field.invalid(path.child("fullyLabeledReplicas"), fullyLabeled, msg));
  }
  if (ready > replicas) errs.push(field.invalid(path.child("readyReplicas"), ready, msg));
  if (available > replicas) {
    errs.push(field.invalid(path.child("availableReplicas"), available, msg));
  }
  if (available > ready) {
    errs.push(
      field.invalid(
        path.child("availableReplicas"),
        available,
        "cannot be greater than readyReplicas",
      ),
    );
  }
  return errs;
}

/** `WarningsOnCreate` (the name part: pod template warnings are not implemented). */
export function replicationControllerWarnings(rc: ReplicationController): string[] {
  const msgs = isDNS1123Label(rc.metadata?.name ?? "");
  if (msgs.length === 0) return [];
  return [
    `metadata.name: this is used in Pod names and hostnames, which can result in surprising behavior; a DNS label is recommended: [${msgs.join(" ")}]`,
  ];
}
