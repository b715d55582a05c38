/**
 * policy/v1 PodDisruptionBudget (upstream `pkg/registry/policy/poddisruptionbudget/strategy.go`,
 * `ValidatePodDisruptionBudget`, `printPodDisruptionBudget`). Exactly one of minAvailable and
 * maxUnavailable; the disruption controller writes the status.
 */
import * as field from "../../../machinery/field-errors.ts";
import { newPath } from "../../../machinery/field-path.ts";
import { selectorFromLabelSelector } from "../../../machinery/labels.ts";
import type { Pod, PodDisruptionBudget } from "../../generated/types.ts";
import { column } from "../../printer.ts";
import type { ResourceDefinition } from "../../resource.ts";
import type { Strategy } from "../../strategy.ts";
import {
  ageColumn,
  ageOf,
  type FieldErrors,
  nameColumn,
  nameOf,
  type Obj,
} from "../core/common.ts";
import {
  isNotMoreThan100Percent,
  validatePositiveIntOrPercent,
} from "../workloads/apps-validation.ts";
import { validateStatusCounters } from "../workloads/common.ts";
import { validateLabelSelector } from "../workloads/label-selector.ts";

type PodDisruptionBudgetObj = Obj<PodDisruptionBudget>;

const evictionPolicies = ["AlwaysAllow", "IfHealthyBudget"];

/** `ValidatePodDisruptionBudgetSpec`. */
export function validatePodDisruptionBudget(pdb: PodDisruptionBudgetObj): FieldErrors {
  const spec = pdb.spec ?? {};
  const path = newPath("spec");
  const errs: FieldErrors = [];
  if (spec.minAvailable !== undefined && spec.maxUnavailable !== undefined) {
    errs.push(field.invalid(path, spec, "minAvailable and maxUnavailable cannot be both set"));
  }
  for (const name of ["minAvailable", "maxUnavailable"] as const) {
    const value = spec[name];
    if (value === undefined) continue;
    errs.push(
      ...validatePositiveIntOrPercent(value, path.child(name)),
      ...isNotMoreThan100Percent(value, path.child(name)),
    );
  }
  errs.push(...validateLabelSelector(spec.selector, path.child("selector")));
  const policy = spec.unhealthyPodEvictionPolicy;
  if (policy !== undefined && !evictionPolicies.includes(policy)) {
    errs.push(
      field.notSupported(path.child("unhealthyPodEvictionPolicy"), policy, evictionPolicies),
    );
  }
  return errs;
}

/** `ValidatePodDisruptionBudgetStatusUpdate` (counters; conditions are not checked). */
export function validatePodDisruptionBudgetStatus(pdb: PodDisruptionBudgetObj): FieldErrors {
  return validateStatusCounters(pdb.status, [
    "disruptionsAllowed",
    "currentHealthy",
    "desiredHealthy",
    "expectedPods",
  ]);
}

const intOrStringCell = (v: number | string | undefined): string =>
  v === undefined ? "N/A" : String(v);

export const podDisruptionBudgetStrategy: Strategy<PodDisruptionBudgetObj> = {
  tracksGeneration: true,
  validate: validatePodDisruptionBudget,
  validateStatusUpdate: validatePodDisruptionBudgetStatus,
  printer: {
    columns: [
      nameColumn(),
      column("Min Available", {
        description:
          'The minimum number of pods that must be available simultaneously.  This can be either an integer or a string specifying a percentage, e.g. "28%".',
      }),
      column("Max Unavailable", {
        description:
          'The maximum number of pods that may be unavailable simultaneously.  This can be either an integer or a string specifying a percentage, e.g. "28%".',
      }),
      column("Allowed Disruptions", {
        type: "integer",
        description: "Calculated number of pods that may be disrupted at this time.",
      }),
      ageColumn(),
    ],
    row: (pdb, now) => [
      nameOf(pdb),
      intOrStringCell(pdb.spec?.minAvailable),
      intOrStringCell(pdb.spec?.maxUnavailable),
      pdb.status?.disruptionsAllowed ?? 0,
      ageOf(pdb, now),
    ],
  },
};

export const podDisruptionBudgetResource: ResourceDefinition<PodDisruptionBudgetObj> = {
  group: "policy",
  version: "v1",
  kind: "PodDisruptionBudget",
  plural: "poddisruptionbudgets",
  singular: "poddisruptionbudget",
  shortNames: ["pdb"],
  namespaced: true,
  subresources: ["status"],
  strategy: podDisruptionBudgetStrategy,
};

/** Whether the budget covers the pod (same namespace assumed): an empty selector covers all. */
export function budgetCovers(pdb: PodDisruptionBudget, pod: Pod): boolean {
  try {
    return selectorFromLabelSelector(pdb.spec?.selector).matches(pod.metadata?.labels ?? {});
  } catch {
    return false; // a selector the API would not have accepted
  }
}
