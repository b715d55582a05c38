/**
 * The pods/binding subresource's rules (upstream `ValidatePodBinding` and `BindingREST.assignPod`),
 * for the registry to apply: validate the Binding, then assign the pod or report a conflict.
 */

import * as field from "../../../machinery/field-errors.ts";
import { newPath } from "../../../machinery/field-path.ts";
import type { Binding, Pod } from "../../generated/types.ts";
import type { FieldErrors } from "./common.ts";

export function validatePodBinding(binding: Binding): FieldErrors {
  const errs: FieldErrors = [];
  const kind = binding.target?.kind ?? "";
  if (kind !== "" && kind !== "Node") {
    errs.push(field.notSupported(newPath("target", "kind"), kind, ["Node", "<empty>"]));
  }
  if (!binding.target?.name) errs.push(field.required(newPath("target", "name"), ""));
  return errs;
}

/**
 * Sets spec.nodeName, merges the binding's annotations and marks the pod scheduled. Returns the
 * message of the 409 Conflict upstream answers with when the pod cannot be bound, else undefined.
 */
export function assignPod(pod: Pod, binding: Binding, nowRFC3339: string): string | undefined {
  const name = pod.metadata?.name ?? "";
  if (pod.metadata?.deletionTimestamp) {
    return `pod ${name} is being deleted, cannot be assigned to a host`;
  }
  if (pod.spec?.nodeName) {
    return `pod ${name} is already assigned to node "${pod.spec.nodeName}"`;
  }
  pod.spec ??= { containers: [] };
  pod.spec.nodeName = binding.target.name ?? "";
  const annotations = binding.metadata?.annotations;
  if (annotations && Object.keys(annotations).length > 0) {
    pod.metadata ??= {};
    pod.metadata.annotations = { ...pod.metadata.annotations, ...annotations };
  }
  pod.status ??= {};
  const conditions = (pod.status.conditions ?? []).filter((c) => c.type !== "PodScheduled");
  conditions.push({ type: "PodScheduled", status: "True", lastTransitionTime: nowRFC3339 });
  pod.status.conditions = conditions;
  return undefined;
}
