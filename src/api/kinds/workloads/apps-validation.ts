/**
 * apps/v1 validation shared by the workloads (upstream `pkg/apis/apps/validation`): the pod
 * template of a replicated workload, int-or-percent fields, and the Deployment and ReplicaSet
 * specs.
 */

import * as field from "../../../machinery/field-errors.ts";
import type { FieldPath } from "../../../machinery/field-path.ts";
import type { IntOrString } from "../../../machinery/intstr.ts";
import type { Selector } from "../../../machinery/labels.ts";
import { regexError } from "../../../machinery/validation.ts";
import type {
  DeploymentSpec,
  DeploymentStrategy,
  PodTemplateSpec,
  ReplicaSetSpec,
} from "../../generated/types.ts";
import {
  type FieldErrors,
  goIntOrString,
  validateNonnegativeField,
  validatePositiveField,
} from "./common.ts";
import { validateSelectorMatchesTemplate, validateWorkloadSelector } from "./label-selector.ts";
import { validatePodTemplateSpec } from "./pod-validation.ts";

/** `ValidatePodTemplateSpecForReplicaSet`: labels match, valid pod, restartPolicy Always. */
export function validateReplicatedTemplate(
  template: PodTemplateSpec | undefined,
  selector: Selector,
  path: FieldPath,
  kind = "ReplicaSet",
): FieldErrors {
  if (!template) return [field.required(path, "")];
  const errs = validateSelectorMatchesTemplate(selector, template.metadata?.labels, path);
  errs.push(...validatePodTemplateSpec(template, path));
  const restartPolicy = template.spec?.restartPolicy ?? "";
  if (restartPolicy !== "Always") {
    errs.push(field.notSupported(path.child("spec", "restartPolicy"), restartPolicy, ["Always"]));
  }
  if (template.spec?.activeDeadlineSeconds !== undefined) {
    errs.push(
      field.forbidden(
        path.child("spec", "activeDeadlineSeconds"),
        `activeDeadlineSeconds in ${kind} is not Supported`,
      ),
    );
  }
  return errs;
}

const percentFmt = "[0-9]+%";

/** `ValidatePositiveIntOrPercent`. */
export function validatePositiveIntOrPercent(
  v: IntOrString | undefined,
  path: FieldPath,
): FieldErrors {
  if (typeof v === "string") {
    if (new RegExp(`^${percentFmt}$`).test(v)) return [];
    const msg = regexError(
      "a valid percent string must be a numeric string followed by an ending '%'",
      percentFmt,
      "1%",
      "93%",
    );
    return [field.invalid(path, goIntOrString(v), msg)];
  }
  return typeof v === "number" ? validateNonnegativeField(v, path) : [];
}

/** The number, or the percentage without its '%'; 0 when neither. */
export function intOrPercentValue(v: IntOrString | undefined): number {
  if (typeof v === "number") return v;
  if (typeof v !== "string") return 0;
  const n = Number.parseInt(v.replace(/%$/, ""), 10);
  return Number.isNaN(n) ? 0 : n;
}

export function isNotMoreThan100Percent(v: IntOrString | undefined, path: FieldPath): FieldErrors {
  if (typeof v !== "string" || !v.endsWith("%") || intOrPercentValue(v) <= 100) return [];
  return [field.invalid(path, goIntOrString(v), "must not be greater than 100%")];
}

function validateDeploymentStrategy(s: DeploymentStrategy | undefined, path: FieldPath) {
  const type = s?.type ?? "";
  if (type === "Recreate") {
    return s?.rollingUpdate
      ? [
          field.forbidden(
            path.child("rollingUpdate"),
            "may not be specified when strategy `type` is 'Recreate'",
          ),
        ]
      : [];
  }
  if (type !== "RollingUpdate") {
    return [field.notSupported(path, s ?? null, ["Recreate", "RollingUpdate"])];
  }
  const ru = s?.rollingUpdate;
  const ruPath = path.child("rollingUpdate");
  if (!ru) return [field.required(ruPath, "this should be defaulted and never be nil")];
  const errs = [
    ...validatePositiveIntOrPercent(ru.maxUnavailable, ruPath.child("maxUnavailable")),
    ...validatePositiveIntOrPercent(ru.maxSurge, ruPath.child("maxSurge")),
  ];
  if (intOrPercentValue(ru.maxUnavailable) === 0 && intOrPercentValue(ru.maxSurge) === 0) {
    errs.push(
      field.invalid(
        ruPath.child("maxUnavailable"),
        goIntOrString(ru.maxUnavailable),
        "may not be 0 when `maxSurge` is 0",
      ),
    );
  }
  errs.push(...isNotMoreThan100Percent(ru.maxUnavailable, ruPath.child("maxUnavailable")));
  return errs;
}

/** `ValidateDeploymentSpec`. */
export function validateDeploymentSpec(spec: DeploymentSpec | undefined, path: FieldPath) {
  const s = spec ?? ({} as DeploymentSpec);
  const errs = validateNonnegativeField(s.replicas ?? 0, path.child("replicas"));
  const sel = validateWorkloadSelector(s.selector, path.child("selector"), { kind: "deployment" });
  errs.push(...sel.errors);
  if (sel.selector) {
    errs.push(...validateReplicatedTemplate(s.template, sel.selector, path.child("template")));
  }
  errs.push(...validateDeploymentStrategy(s.strategy, path.child("strategy")));
  errs.push(...validateNonnegativeField(s.minReadySeconds ?? 0, path.child("minReadySeconds")));
  if (s.revisionHistoryLimit !== undefined) {
    errs.push(
      ...validateNonnegativeField(s.revisionHistoryLimit, path.child("revisionHistoryLimit")),
    );
  }
  if (s.progressDeadlineSeconds !== undefined) {
    const p = path.child("progressDeadlineSeconds");
    errs.push(...validatePositiveField(s.progressDeadlineSeconds, p));
    if (s.progressDeadlineSeconds <= (s.minReadySeconds ?? 0)) {
      errs.push(
        field.invalid(p, s.progressDeadlineSeconds, "must be greater than minReadySeconds"),
      );
    }
  }
  return errs;
}

/** `ValidateReplicaSetSpec` (upstream's message says "deployment" here too). */
export function validateReplicaSetSpec(spec: ReplicaSetSpec | undefined, path: FieldPath) {
  const s = spec ?? ({} as ReplicaSetSpec);
  const errs = [
    ...validateNonnegativeField(s.replicas ?? 0, path.child("replicas")),
    ...validateNonnegativeField(s.minReadySeconds ?? 0, path.child("minReadySeconds")),
  ];
  const sel = validateWorkloadSelector(s.selector, path.child("selector"), { kind: "deployment" });
  errs.push(...sel.errors);
  if (sel.selector) {
    errs.push(...validateReplicatedTemplate(s.template, sel.selector, path.child("template")));
  }
  return errs;
}
