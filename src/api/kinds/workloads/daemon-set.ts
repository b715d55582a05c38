/**
 * apps/v1 DaemonSet: defaults, validation (upstream `ValidateDaemonSetSpec`; selector immutable on
 * update) and the `kubectl get daemonsets` table.
 */

import * as field from "../../../machinery/field-errors.ts";
import { type FieldPath, newPath } from "../../../machinery/field-path.ts";
import type { DaemonSet, DaemonSetSpec, DaemonSetUpdateStrategy } from "../../generated/types.ts";
import type { ResourceDefinition } from "../../resource.ts";
import { defaultDaemonSet } from "./apps-defaults.ts";
import { daemonSetPrinter } from "./apps-printers.ts";
import {
  intOrPercentValue,
  isNotMoreThan100Percent,
  validatePositiveIntOrPercent,
} from "./apps-validation.ts";
import {
  type FieldErrors,
  goIntOrString,
  goLabelSelector,
  goStringMap,
  type Obj,
  validateImmutableField,
  validateNonnegativeField,
  validateStatusCounters,
} from "./common.ts";
import { toSelector, validateLabelSelector } from "./label-selector.ts";
import { validatePodTemplateSpec } from "./pod-validation.ts";

type DaemonSetObj = Obj<DaemonSet>;

function validateUpdateStrategy(s: DaemonSetUpdateStrategy | undefined, path: FieldPath) {
  const type = s?.type ?? "";
  if (type === "OnDelete") return [];
  if (type !== "RollingUpdate") {
    return [field.notSupported(path, s ?? null, ["RollingUpdate", "OnDelete"])];
  }
  const ru = s?.rollingUpdate;
  const ruPath = path.child("rollingUpdate");
  if (!ru) return [field.required(ruPath, "")];
  const errs: FieldErrors = [
    ...validatePositiveIntOrPercent(ru.maxUnavailable, ruPath.child("maxUnavailable")),
    ...validatePositiveIntOrPercent(ru.maxSurge, ruPath.child("maxSurge")),
    ...isNotMoreThan100Percent(ru.maxUnavailable, ruPath.child("maxUnavailable")),
    ...isNotMoreThan100Percent(ru.maxSurge, ruPath.child("maxSurge")),
  ];
  const hasUnavailable = intOrPercentValue(ru.maxUnavailable) !== 0;
  const hasSurge = intOrPercentValue(ru.maxSurge) !== 0;
  if (hasUnavailable && hasSurge) {
    errs.push(
      field.invalid(
        ruPath.child("maxSurge"),
        goIntOrString(ru.maxSurge),
        "may not be set when maxUnavailable is non-zero",
      ),
    );
  } else if (!hasUnavailable && !hasSurge) {
    errs.push(field.required(ruPath.child("maxUnavailable"), "cannot be 0 when maxSurge is 0"));
  }
  return errs;
}

export function validateDaemonSetSpec(spec: DaemonSetSpec | undefined, path: FieldPath) {
  const s = spec ?? ({} as DaemonSetSpec);
  const errs = validateLabelSelector(s.selector, path.child("selector"));
  const labels = s.template?.metadata?.labels;
  const selector = toSelector(s.selector);
  if (selector && !selector.matches(labels ?? {})) {
    errs.push(
      field.invalid(
        path.child("template", "metadata", "labels"),
        goStringMap(labels),
        "`selector` does not match template `labels`",
      ),
    );
  }
  const sel = s.selector;
  if (
    sel &&
    Object.keys(sel.matchLabels ?? {}).length + (sel.matchExpressions ?? []).length === 0
  ) {
    errs.push(
      field.invalid(
        path.child("selector"),
        goLabelSelector(sel),
        "empty selector is invalid for daemonset",
      ),
    );
  }
  errs.push(...validatePodTemplateSpec(s.template, path.child("template")));
  const restartPolicy = s.template?.spec?.restartPolicy ?? "";
  if (restartPolicy !== "Always") {
    errs.push(
      field.notSupported(path.child("template", "spec", "restartPolicy"), restartPolicy, [
        "Always",
      ]),
    );
  }
  const deadline = s.template?.spec?.activeDeadlineSeconds;
  if (deadline !== undefined) {
    errs.push(
      field.invalid(
        path.child("template", "spec", "activeDeadlineSeconds"),
        deadline,
        "activeDeadlineSeconds must be nil for daemon set",
      ),
    );
  }
  errs.push(...validateNonnegativeField(s.minReadySeconds ?? 0, path.child("minReadySeconds")));
  errs.push(...validateUpdateStrategy(s.updateStrategy, path.child("updateStrategy")));
  if (s.revisionHistoryLimit !== undefined) {
    errs.push(
      ...validateNonnegativeField(s.revisionHistoryLimit, path.child("revisionHistoryLimit")),
    );
  }
  return errs;
}

export const daemonSetResource: ResourceDefinition<DaemonSetObj> = {
  group: "apps",
  version: "v1",
  kind: "DaemonSet",
  plural: "daemonsets",
  singular: "daemonset",
  shortNames: ["ds"],
  categories: ["all"],
  namespaced: true,
  subresources: ["status"],
  strategy: {
    tracksGeneration: true,
    defaults: defaultDaemonSet,
    prepareForCreate(ds) {
      ds.status = {
        currentNumberScheduled: 0,
        numberMisscheduled: 0,
        desiredNumberScheduled: 0,
        numberReady: 0,
      };
    },
    validate: (ds) => validateDaemonSetSpec(ds.spec, newPath("spec")),
    validateUpdate: (ds, old) => [
      ...validateDaemonSetSpec(ds.spec, newPath("spec")),
      ...validateImmutableField(
        ds.spec?.selector,
        old.spec?.selector,
        newPath("spec", "selector"),
        goLabelSelector,
      ),
    ],
    validateStatusUpdate: (ds) =>
      validateStatusCounters(ds.status, [
        "currentNumberScheduled",
        "numberMisscheduled",
        "desiredNumberScheduled",
        "numberReady",
        "observedGeneration",
        "updatedNumberScheduled",
        "numberAvailable",
        "numberUnavailable",
        "collisionCount",
      ]),
    printer: daemonSetPrinter,
  },
};
