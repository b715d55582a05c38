/**
 * scheduling.k8s.io/v1 PriorityClass (upstream `SetDefaults_PriorityClass`,
 * `pkg/apis/scheduling/validation`, `printPriorityClass`). Cluster-scoped; the value and the
 * preemption policy are fixed once created, and the `system-` prefix is reserved for the two
 * built-in classes.
 */
import * as field from "../../../machinery/field-errors.ts";
import { newPath } from "../../../machinery/field-path.ts";
import type { PriorityClass } from "../../generated/types.ts";
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
  validateImmutableField,
} from "../core/common.ts";

type PriorityClassObj = Obj<PriorityClass>;

/** `scheduling.HighestUserDefinablePriority`. */
export const highestUserDefinablePriority = 1_000_000_000;
export const systemPriorityClassPrefix = "system-";

/** The built-in classes (`scheduling.SystemPriorityClasses()`). */
export const systemPriorityClasses = [
  {
    name: "system-node-critical",
    value: 2_000_001_000,
    globalDefault: false,
    description: "Used for system critical pods that must not be moved from their current node.",
  },
  {
    name: "system-cluster-critical",
    value: 2_000_000_000,
    globalDefault: false,
    description:
      "Used for system critical pods that must run in the cluster, but can be moved to another node if necessary.",
  },
] as const;

const preemptionPolicies = ["Never", "PreemptLowerPriority"];

/** `IsKnownSystemPriorityClass`: undefined when known, else the reason it is not. */
function systemClassError(pc: PriorityClass): string | undefined {
  const name = pc.metadata?.name ?? "";
  const known = systemPriorityClasses.find((c) => c.name === name);
  if (!known) return `${name} is not a known system priority class`;
  if (known.value !== pc.value) return `value of ${name} PriorityClass must be ${known.value}`;
  if (known.globalDefault !== (pc.globalDefault ?? false)) {
    return `globalDefault of ${name} PriorityClass must be ${known.globalDefault}`;
  }
  return undefined;
}

/** `ValidatePriorityClass` beyond object meta. */
export function validatePriorityClass(pc: PriorityClassObj): FieldErrors {
  const errs: FieldErrors = [];
  const name = pc.metadata?.name ?? "";
  if (name.startsWith(systemPriorityClassPrefix)) {
    const why = systemClassError(pc);
    if (why !== undefined) {
      errs.push(
        field.forbidden(
          newPath("metadata", "name"),
          `priority class names with '${systemPriorityClassPrefix}' prefix are reserved for system use only. error: ${why}`,
        ),
      );
    }
  } else if (pc.value > highestUserDefinablePriority) {
    errs.push(
      field.forbidden(
        newPath("value"),
        `maximum allowed value of a user defined priority is ${highestUserDefinablePriority}`,
      ),
    );
  }
  const policy = pc.preemptionPolicy;
  if (policy !== undefined && !preemptionPolicies.includes(policy)) {
    errs.push(field.notSupported(newPath("preemptionPolicy"), policy, preemptionPolicies));
  }
  return errs;
}

/** `ValidatePriorityClassUpdate`: value and preemptionPolicy are immutable. */
export function validatePriorityClassUpdate(
  pc: PriorityClassObj,
  old: PriorityClassObj,
): FieldErrors {
  const errs: FieldErrors = [];
  if (pc.value !== old.value) {
    errs.push(field.forbidden(newPath("value"), "may not be changed in an update."));
  }
  errs.push(
    ...validateImmutableField(
      pc.preemptionPolicy,
      old.preemptionPolicy,
      newPath("preemptionPolicy"),
    ),
  );
  return errs;
}

export const priorityClassStrategy: Strategy<PriorityClassObj> = {
  defaults: (pc) => {
    pc.preemptionPolicy ??= "PreemptLowerPriority";
  },
  validate: validatePriorityClass,
  validateUpdate: validatePriorityClassUpdate,
  printer: {
    columns: [
      nameColumn(),
      column("Value", { type: "integer", description: "The value of this priority class." }),
      column("Global-Default", {
        type: "boolean",
        description:
          "globalDefault specifies whether this PriorityClass should be considered as the default priority.",
      }),
      ageColumn(),
      column("PreemptionPolicy", {
        description: "preemptionPolicy is the Policy for preempting pods with lower priority.",
      }),
    ],
    row: (pc, now) => [
      nameOf(pc),
      pc.value,
      pc.globalDefault ?? false,
      ageOf(pc, now),
      pc.preemptionPolicy ?? "",
    ],
  },
};

export const priorityClassResource: ResourceDefinition<PriorityClassObj> = {
  group: "scheduling.k8s.io",
  version: "v1",
  kind: "PriorityClass",
  plural: "priorityclasses",
  singular: "priorityclass",
  shortNames: ["pc"],
  namespaced: false,
  strategy: priorityClassStrategy,
};
