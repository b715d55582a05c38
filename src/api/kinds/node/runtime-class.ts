/**
 * node.k8s.io/v1 RuntimeClass (upstream `pkg/apis/node/validation`, `pkg/registry/node/runtimeclass`,
 * `printRuntimeClass`). Cluster-scoped; the handler names the CRI runtime configuration the
 * kubelet passes to RunPodSandbox and is fixed once created. The RuntimeClass admission plugin
 * copies `overhead` and `scheduling` into the pods that name the class.
 */
import * as field from "../../../machinery/field-errors.ts";
import { type FieldPath, newPath } from "../../../machinery/field-path.ts";
import { goQuote } from "../../../machinery/go-format.ts";
import { validateLabels } from "../../../machinery/object-meta.ts";
import { nameIsDNSLabel } from "../../../machinery/validation.ts";
import type { RuntimeClass, Scheduling, Toleration } from "../../generated/types.ts";
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
import { validateResourceRequirements } from "../workloads/pod-resources.ts";
import { validateTolerations as validatePodTolerations } from "../workloads/pod-validation.ts";

type RuntimeClassObj = Obj<RuntimeClass>;

/** `core.Toleration` as Go's `%#v` prints it (the bad value of a duplicate). */
function goToleration(t: Toleration): field.RawValue {
  const seconds =
    t.tolerationSeconds === undefined || t.tolerationSeconds === null
      ? "(*int64)(nil)"
      : `(*int64)(${t.tolerationSeconds})`;
  return new field.RawValue(
    `core.Toleration{Key:${goQuote(t.key ?? "")}, Operator:${goQuote(t.operator ?? "")}, ` +
      `Value:${goQuote(t.value ?? "")}, Effect:${goQuote(t.effect ?? "")}, TolerationSeconds:${seconds}}`,
  );
}

/** `validateTolerations`: the pod rules, and no two with the same key, operator, value and effect. */
function validateTolerations(tolerations: readonly Toleration[], path: FieldPath): FieldErrors {
  const errs = validatePodTolerations(tolerations, path);
  const seen = new Set<string>();
  tolerations.forEach((t, i) => {
    const listKey = JSON.stringify([t.key ?? "", t.operator ?? "", t.value ?? "", t.effect ?? ""]);
    if (seen.has(listKey)) errs.push(field.duplicate(path.index(i), goToleration(t)));
    else seen.add(listKey);
  });
  return errs;
}

function validateScheduling(s: Scheduling, path: FieldPath): FieldErrors {
  const errs: FieldErrors = [];
  if (s.nodeSelector) errs.push(...validateLabels(s.nodeSelector, path.child("nodeSelector")));
  errs.push(...validateTolerations(s.tolerations ?? [], path.child("tolerations")));
  return errs;
}

/** `ValidateRuntimeClass` beyond object meta. */
export function validateRuntimeClass(rc: RuntimeClassObj): FieldErrors {
  const handler = rc.handler ?? "";
  const errs = invalidEach(newPath("handler"), handler, nameIsDNSLabel(handler, false));
  if (rc.overhead) {
    // Upstream reuses the container rules, so errors read `overhead.limits[cpu]`.
    errs.push(
      ...validateResourceRequirements({ limits: rc.overhead.podFixed ?? {} }, newPath("overhead")),
    );
  }
  if (rc.scheduling) errs.push(...validateScheduling(rc.scheduling, newPath("scheduling")));
  return errs;
}

/** `ValidateRuntimeClassUpdate`: the handler is immutable. */
export function validateRuntimeClassUpdate(rc: RuntimeClassObj, old: RuntimeClassObj): FieldErrors {
  return [
    ...validateRuntimeClass(rc),
    ...validateImmutableField(rc.handler, old.handler, newPath("handler")),
  ];
}

export const runtimeClassStrategy: Strategy<RuntimeClassObj> = {
  validate: validateRuntimeClass,
  validateUpdate: validateRuntimeClassUpdate,
  printer: {
    // Upstream's Handler description reads ObjectMeta's docs, which have none for it.
    columns: [nameColumn(), column("Handler"), ageColumn()],
    row: (rc, now) => [nameOf(rc), rc.handler ?? "", ageOf(rc, now)],
  },
};

export const runtimeClassResource: ResourceDefinition<RuntimeClassObj> = {
  group: "node.k8s.io",
  version: "v1",
  kind: "RuntimeClass",
  plural: "runtimeclasses",
  singular: "runtimeclass",
  namespaced: false,
  strategy: runtimeClassStrategy,
};
