/**
 * Job validation (upstream `pkg/apis/batch/validation`): the generated selector, the spec, the
 * pod template (restartPolicy OnFailure or Never) and what an update may change.
 */

import * as field from "../../../machinery/field-errors.ts";
import { type FieldPath, newPath } from "../../../machinery/field-path.ts";
import type { Job, JobSpec, JobTemplateSpec } from "../../generated/types.ts";
import { controllerUidLabel, jobNameLabel } from "./batch-defaults.ts";
import {
  type FieldErrors,
  goLabelSelector,
  goStringMap,
  validateNonnegativeField,
} from "./common.ts";
import { toSelector, validateLabelSelector } from "./label-selector.ts";
import { validatePodTemplateSpec } from "./pod-validation.ts";

const maxParallelismForIndexedJob = 100000;

/** `validateGeneratedSelector`: the uid labels the generated selector relies on. */
function validateGeneratedSelector(job: Job): FieldErrors {
  const spec = job.spec;
  if (spec?.manualSelector || !spec?.selector) return [];
  const errs: FieldErrors = [];
  const uid = job.metadata?.uid ?? "";
  if (!uid) errs.push(field.required(newPath("metadata", "uid"), ""));
  const tmeta = newPath("spec", "template", "metadata");
  const labels = spec.template?.metadata?.labels;
  for (const [key, expected] of [
    [controllerUidLabel, uid],
    [jobNameLabel, job.metadata?.name ?? ""],
  ] as const) {
    const actual = labels?.[key];
    if (actual === undefined) errs.push(field.required(tmeta.child("labels").key(key), expected));
    else if (actual !== expected) {
      errs.push(
        field.invalid(tmeta.child("labels").key(key), goStringMap(labels), `must be '${expected}'`),
      );
    }
  }
  const selector = toSelector(spec.selector);
  if (selector && !selector.matches({ [controllerUidLabel]: uid })) {
    errs.push(
      field.invalid(
        newPath("spec", "selector"),
        goLabelSelector(spec.selector),
        "`selector` not auto-generated",
      ),
    );
  }
  return errs;
}

function validateCounts(s: JobSpec, path: FieldPath): FieldErrors {
  const errs: FieldErrors = [];
  for (const name of [
    "parallelism",
    "completions",
    "activeDeadlineSeconds",
    "backoffLimit",
    "ttlSecondsAfterFinished",
    "backoffLimitPerIndex",
    "maxFailedIndexes",
  ] as const) {
    const v = s[name];
    if (v != null) errs.push(...validateNonnegativeField(v, path.child(name)));
  }
  if (s.backoffLimitPerIndex != null && s.completionMode !== "Indexed") {
    errs.push(
      field.forbidden(path.child("backoffLimitPerIndex"), "requires indexed completion mode"),
    );
  }
  return errs;
}

function validateCompletionMode(s: JobSpec, path: FieldPath): FieldErrors {
  const mode = s.completionMode;
  if (mode == null) return [];
  if (mode !== "NonIndexed" && mode !== "Indexed") {
    return [field.notSupported(path.child("completionMode"), mode, ["NonIndexed", "Indexed"])];
  }
  const errs: FieldErrors = [];
  if (mode === "Indexed") {
    if (s.completions == null) {
      errs.push(field.required(path.child("completions"), "when completion mode is Indexed"));
    }
    if (s.parallelism != null && s.parallelism > maxParallelismForIndexedJob) {
      errs.push(
        field.invalid(
          path.child("parallelism"),
          s.parallelism,
          `must be less than or equal to ${maxParallelismForIndexedJob} when completion mode is Indexed`,
        ),
      );
    }
  }
  return errs;
}

/** `validateJobSpec`: everything but the selector (job templates have none). */
function validateJobSpecCommon(s: JobSpec, path: FieldPath): FieldErrors {
  const errs = [...validateCounts(s, path), ...validateCompletionMode(s, path)];
  const prp = s.podReplacementPolicy;
  if (prp != null && prp !== "TerminatingOrFailed" && prp !== "Failed") {
    errs.push(
      field.notSupported(path.child("podReplacementPolicy"), prp, [
        "TerminatingOrFailed",
        "Failed",
      ]),
    );
  }
  const tPath = path.child("template");
  errs.push(...validatePodTemplateSpec(s.template, tPath));
  const restartPolicy = s.template?.spec?.restartPolicy ?? "";
  const rpPath = tPath.child("spec", "restartPolicy");
  if (restartPolicy === "Always" || restartPolicy === "") {
    errs.push(field.required(rpPath, 'valid values: "OnFailure", "Never"'));
  } else if (restartPolicy !== "OnFailure" && restartPolicy !== "Never") {
    errs.push(field.notSupported(rpPath, restartPolicy, ["OnFailure", "Never"]));
  } else if (s.podFailurePolicy && restartPolicy !== "Never") {
    errs.push(
      field.invalid(
        rpPath,
        restartPolicy,
        'only "Never" is supported when podFailurePolicy is specified',
      ),
    );
  }
  return errs;
}

/** `ValidateJobSpec`: the common checks plus a selector that matches the template. */
export function validateJobSpec(spec: JobSpec | undefined, path: FieldPath): FieldErrors {
  const s = spec ?? ({ template: {} } as JobSpec);
  const errs = validateJobSpecCommon(s, path);
  if (!s.selector) errs.push(field.required(path.child("selector"), ""));
  else errs.push(...validateLabelSelector(s.selector, path.child("selector")));
  const selector = toSelector(s.selector);
  const labels = s.template?.metadata?.labels;
  if (selector && !selector.matches(labels ?? {})) {
    errs.push(
      field.invalid(
        path.child("template", "metadata", "labels"),
        goStringMap(labels),
        "`selector` does not match template `labels`",
      ),
    );
  }
  return errs;
}

export function validateJob(job: Job): FieldErrors {
  return [...validateGeneratedSelector(job), ...validateJobSpec(job.spec, newPath("spec"))];
}

/** `ValidateJobTemplateSpec` (a CronJob's jobTemplate): no selector of its own. */
export function validateJobTemplateSpec(t: JobTemplateSpec | undefined, path: FieldPath) {
  const specPath = path.child("spec");
  const spec = t?.spec ?? ({ template: {} } as JobSpec);
  const errs = validateJobSpecCommon(spec, specPath);
  if (spec.selector) {
    errs.push(
      field.invalid(
        specPath.child("selector"),
        goLabelSelector(spec.selector),
        "`selector` will be auto-generated",
      ),
    );
  }
  if (spec.manualSelector) {
    errs.push(field.notSupported(specPath.child("manualSelector"), true, ["nil", "false"]));
  }
  return errs;
}
