/**
 * batch/v1 defaulting (upstream `pkg/apis/batch/v1/defaults.go`) and the Job selector the
 * strategy generates on create (upstream `generateSelector`).
 */
import { randomUUID } from "node:crypto";
import type { CronJob, Job, JobSpec } from "../../generated/types.ts";
import { defaultPodTemplateSpec } from "./pod-defaults.ts";

const maxInt32 = 2147483647;

export const controllerUidLabel = "batch.kubernetes.io/controller-uid";
export const legacyControllerUidLabel = "controller-uid";
export const jobNameLabel = "batch.kubernetes.io/job-name";
export const legacyJobNameLabel = "job-name";

export function defaultJob(job: Job): void {
  job.spec ??= { template: {} };
  const spec = job.spec;
  if (spec.completions == null && spec.parallelism == null) {
    spec.completions = 1;
    spec.parallelism = 1;
  }
  spec.parallelism ??= 1;
  spec.backoffLimit ??= spec.backoffLimitPerIndex != null ? maxInt32 : 6;
  const labels = spec.template?.metadata?.labels;
  if (labels && Object.keys(job.metadata?.labels ?? {}).length === 0) {
    job.metadata ??= {};
    job.metadata.labels = { ...labels };
  }
  spec.completionMode ??= "NonIndexed";
  spec.suspend ??= false;
  for (const rule of spec.podFailurePolicy?.rules ?? []) {
    for (const pattern of rule.onPodConditions ?? []) {
      if (!pattern.status) pattern.status = "True";
    }
  }
  spec.podReplacementPolicy ??= spec.podFailurePolicy ? "Failed" : "TerminatingOrFailed";
  spec.manualSelector ??= false;
  defaultPodTemplateSpec(spec.template);
}

export function defaultCronJob(cj: CronJob): void {
  cj.spec ??= { schedule: "", jobTemplate: {} };
  const spec = cj.spec;
  spec.concurrencyPolicy ??= "Allow";
  spec.suspend ??= false;
  spec.successfulJobsHistoryLimit ??= 3;
  spec.failedJobsHistoryLimit ??= 1;
  spec.jobTemplate ??= {};
  defaultPodTemplateSpec(spec.jobTemplate.spec?.template);
}

/**
 * Labels the template with the job's name and uid and selects the uid, unless the selector is
 * manual. Upstream runs this after the uid is assigned; here the uid is made now when absent, and
 * the registry must keep it.
 */
export function generateJobSelector(job: Job): void {
  job.spec ??= { template: {} };
  const spec: JobSpec = job.spec;
  if (spec.manualSelector) return;
  job.metadata ??= {};
  const meta = job.metadata;
  meta.uid ||= randomUUID();
  spec.template ??= {};
  const template = spec.template;
  template.metadata ??= {};
  const tmeta = template.metadata;
  tmeta.labels ??= {};
  const labels = tmeta.labels;
  for (const key of [legacyJobNameLabel, jobNameLabel]) labels[key] ??= meta.name ?? "";
  for (const key of [legacyControllerUidLabel, controllerUidLabel]) labels[key] ??= meta.uid;
  spec.selector ??= {};
  const selector = spec.selector;
  selector.matchLabels ??= {};
  const matchLabels = selector.matchLabels;
  matchLabels[controllerUidLabel] ??= meta.uid;
}
