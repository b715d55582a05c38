/**
 * apps/v1 StatefulSet: defaults, validation (upstream `ValidateStatefulSetSpec`; the pod spec is
 * not validated, as upstream leaves that to pod creation), the fields an update may change, the
 * scale subresource and the `kubectl get statefulsets` table.
 */
import { isDeepStrictEqual } from "node:util";
import * as field from "../../../machinery/field-errors.ts";
import { type FieldPath, newPath } from "../../../machinery/field-path.ts";
import { validateAnnotations, validateLabels } from "../../../machinery/object-meta.ts";
import type { StatefulSet, StatefulSetSpec } from "../../generated/types.ts";
import type { ResourceDefinition } from "../../resource.ts";
import { defaultStatefulSet } from "./apps-defaults.ts";
import { statefulSetPrinter } from "./apps-printers.ts";
import {
  type FieldErrors,
  type Obj,
  validateNonnegativeField,
  validateStatusCounters,
} from "./common.ts";
import { validateSelectorMatchesTemplate, validateWorkloadSelector } from "./label-selector.ts";

type StatefulSetObj = Obj<StatefulSet>;

function validatePolicies(s: StatefulSetSpec, path: FieldPath): FieldErrors {
  const errs: FieldErrors = [];
  const pmp = s.podManagementPolicy ?? "";
  if (!pmp) errs.push(field.required(path.child("podManagementPolicy"), ""));
  else if (pmp !== "OrderedReady" && pmp !== "Parallel") {
    errs.push(
      field.invalid(path.child("podManagementPolicy"), pmp, "must be 'OrderedReady' or 'Parallel'"),
    );
  }
  const strategy = s.updateStrategy;
  const type = strategy?.type ?? "";
  const ruPath = path.child("updateStrategy", "rollingUpdate");
  if (!type) errs.push(field.required(path.child("updateStrategy"), ""));
  else if (type === "OnDelete" && strategy?.rollingUpdate) {
    errs.push(
      field.invalid(
        ruPath,
        strategy.rollingUpdate,
        "only allowed for updateStrategy 'RollingUpdate'",
      ),
    );
  } else if (type === "RollingUpdate" && strategy?.rollingUpdate?.partition !== undefined) {
    errs.push(
      ...validateNonnegativeField(strategy.rollingUpdate.partition, ruPath.child("partition")),
    );
  } else if (type !== "OnDelete" && type !== "RollingUpdate") {
    errs.push(
      field.invalid(
        path.child("updateStrategy"),
        strategy ?? null,
        "must be 'RollingUpdate' or 'OnDelete'",
      ),
    );
  }
  const retention = s.persistentVolumeClaimRetentionPolicy;
  const rPath = path.child("persistentVolumeClaimRetentionPolicy");
  for (const key of ["whenDeleted", "whenScaled"] as const) {
    const v = retention?.[key] ?? "";
    if (v !== "Retain" && v !== "Delete") {
      errs.push(field.notSupported(rPath.child(key), v, ["Retain", "Delete"]));
    }
  }
  return errs;
}

export function validateStatefulSetSpec(spec: StatefulSetSpec | undefined, path: FieldPath) {
  const s = spec ?? ({} as StatefulSetSpec);
  const errs = validatePolicies(s, path);
  errs.push(...validateNonnegativeField(s.replicas ?? 0, path.child("replicas")));
  errs.push(...validateNonnegativeField(s.minReadySeconds ?? 0, path.child("minReadySeconds")));
  if (s.ordinals?.start !== undefined) {
    errs.push(...validateNonnegativeField(s.ordinals.start, path.child("ordinals", "start")));
  }
  const sel = validateWorkloadSelector(s.selector, path.child("selector"), {
    kind: "statefulset",
    invalidMessage: "",
  });
  errs.push(...sel.errors);
  const tPath = path.child("template");
  if (sel.selector) {
    errs.push(
      ...validateSelectorMatchesTemplate(sel.selector, s.template?.metadata?.labels, tPath),
    );
    errs.push(...validateLabels(s.template?.metadata?.labels, tPath.child("labels")));
    errs.push(
      ...validateAnnotations(s.template?.metadata?.annotations, tPath.child("annotations")),
    );
  }
  const restartPolicy = s.template?.spec?.restartPolicy ?? "";
  if (restartPolicy !== "Always") {
    errs.push(field.notSupported(tPath.child("spec", "restartPolicy"), restartPolicy, ["Always"]));
  }
  if (s.template?.spec?.activeDeadlineSeconds !== undefined) {
    errs.push(
      field.forbidden(
        tPath.child("spec", "activeDeadlineSeconds"),
        "activeDeadlineSeconds in StatefulSet is not Supported",
      ),
    );
  }
  return errs;
}

const updatable = [
  "replicas",
  "ordinals",
  "template",
  "updateStrategy",
  "minReadySeconds",
  "revisionHistoryLimit",
  "persistentVolumeClaimRetentionPolicy",
] as const;

export function validateStatefulSetUpdate(sts: StatefulSet, old: StatefulSet): FieldErrors {
  const errs = validateStatefulSetSpec(sts.spec, newPath("spec"));
  const strip = (spec: StatefulSetSpec | undefined) => {
    const copy: Record<string, unknown> = { ...spec };
    for (const key of updatable) delete copy[key];
    return copy;
  };
  if (!isDeepStrictEqual(strip(sts.spec), strip(old.spec))) {
    errs.push(
      field.forbidden(
        newPath("spec"),
        "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
      ),
    );
  }
  return errs;
}

export const statefulSetResource: ResourceDefinition<StatefulSetObj> = {
  group: "apps",
  version: "v1",
  kind: "StatefulSet",
  plural: "statefulsets",
  singular: "statefulset",
  shortNames: ["sts"],
  categories: ["all"],
  namespaced: true,
  subresources: ["status", "scale"],
  scale: {
    specReplicasPath: "spec.replicas",
    statusReplicasPath: "status.replicas",
    labelSelectorPath: "spec.selector",
  },
  strategy: {
    tracksGeneration: true,
    defaults: defaultStatefulSet,
    prepareForCreate(sts) {
      sts.status = { replicas: 0 };
    },
    validate: (sts) => validateStatefulSetSpec(sts.spec, newPath("spec")),
    validateUpdate: validateStatefulSetUpdate,
    validateStatusUpdate: (sts) =>
      validateStatusCounters(sts.status, [
        "observedGeneration",
        "replicas",
        "readyReplicas",
        "currentReplicas",
        "updatedReplicas",
        "availableReplicas",
        "collisionCount",
      ]),
    printer: statefulSetPrinter,
  },
};
