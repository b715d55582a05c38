/**
 * What a Job update may change (upstream `ValidateJobSpecUpdate`): the selector, completion mode
 * and failure policies never; the template only in its scheduling directives while the job is
 * suspended and has not started; completions of an Indexed job only together with parallelism.
 */

import * as field from "../../../machinery/field-errors.ts";
import { type FieldPath, newPath } from "../../../machinery/field-path.ts";
import type { Job, JobSpec, PodTemplateSpec } from "../../generated/types.ts";
import { type FieldErrors, goLabelSelector, validateImmutableField } from "./common.ts";
import { validateJob } from "./job-validation.ts";

function validateCompletionsUpdate(s: JobSpec, old: JobSpec, path: FieldPath): FieldErrors {
  if (s.completionMode !== "Indexed")
    return validateImmutableField(s.completions, old.completions, path);
  if (s.completions === old.completions || s.completions == null) return [];
  if (s.completions !== s.parallelism) {
    return [
      field.invalid(path, s.completions, "can only be modified in tandem with spec.parallelism"),
    ];
  }
  return [];
}

/** The old template with what a suspended, never-started job may change taken from the new one. */
function mutableTemplate(next: PodTemplateSpec, old: PodTemplateSpec): PodTemplateSpec {
  const t: PodTemplateSpec = structuredClone(old);
  t.metadata ??= {};
  const meta = t.metadata;
  const set = <K extends "labels" | "annotations">(k: K, v: Record<string, string> | undefined) => {
    if (v === undefined) delete meta[k];
    else meta[k] = v;
  };
  set("labels", next.metadata?.labels);
  set("annotations", next.metadata?.annotations);
  if (Object.keys(meta).length === 0 && !next.metadata) delete t.metadata;
  t.spec ??= { containers: [] };
  const spec = t.spec as unknown as Record<string, unknown>;
  const from = (next.spec ?? {}) as unknown as Record<string, unknown>;
  for (const key of ["nodeSelector", "tolerations", "schedulingGates"]) {
    if (from[key] === undefined) delete spec[key];
    else spec[key] = from[key];
  }
  const oldAffinity = { ...(spec.affinity as Record<string, unknown> | undefined) };
  const newNodeAffinity = (from.affinity as Record<string, unknown> | undefined)?.nodeAffinity;
  delete oldAffinity.nodeAffinity;
  if (newNodeAffinity !== undefined) oldAffinity.nodeAffinity = newNodeAffinity;
  if (Object.keys(oldAffinity).length === 0 && from.affinity === undefined) delete spec.affinity;
  else spec.affinity = oldAffinity;
  return t;
}

export function validateJobUpdate(job: Job, old: Job): FieldErrors {
  const path = newPath("spec");
  const s = job.spec ?? ({ template: {} } as JobSpec);
  const o = old.spec ?? ({ template: {} } as JobSpec);
  const errs = validateJob(job);
  errs.push(...validateCompletionsUpdate(s, o, path.child("completions")));
  errs.push(
    ...validateImmutableField(s.selector, o.selector, path.child("selector"), goLabelSelector),
  );
  const mutable = o.suspend === true && !old.status?.startTime;
  const oldTemplate = mutable ? mutableTemplate(s.template ?? {}, o.template ?? {}) : o.template;
  errs.push(...validateImmutableField(s.template, oldTemplate, path.child("template")));
  for (const key of [
    "completionMode",
    "podFailurePolicy",
    "backoffLimitPerIndex",
    "managedBy",
    "successPolicy",
  ] as const) {
    errs.push(...validateImmutableField(s[key], o[key], path.child(key)));
  }
  return errs;
}
