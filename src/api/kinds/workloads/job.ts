/**
 * batch/v1 Job: defaults, the generated selector and labels on create, validation, the update
 * rules, the `status.successful` field selector and the `kubectl get jobs` table.
 */
import { randomUUID } from "node:crypto";
import type { Job } from "../../generated/types.ts";
import type { ResourceDefinition } from "../../resource.ts";
import { defaultJob, generateJobSelector } from "./batch-defaults.ts";
import { jobPrinter } from "./batch-printers.ts";
import { ensureGeneratedName, type Obj, validateStatusCounters } from "./common.ts";
import { validateJobUpdate } from "./job-update.ts";
import { validateJob } from "./job-validation.ts";

type JobObj = Obj<Job>;

/**
 * `PrepareForCreate`: empty status, a name from generateName, a fresh uid, the generated selector,
 * then the template's labels copied to the job (upstream's defaulting does that when the job is
 * next decoded). The registry must keep the uid set here.
 */
export function prepareJobForCreate(job: JobObj): void {
  job.status = {};
  ensureGeneratedName(job);
  // Upstream assigns the uid before prepareForCreate; a client-sent uid is never kept.
  job.metadata ??= {};
  job.metadata.uid = randomUUID();
  generateJobSelector(job);
  const labels = job.spec?.template?.metadata?.labels;
  if (labels && Object.keys(job.metadata?.labels ?? {}).length === 0) {
    job.metadata ??= {};
    job.metadata.labels = { ...labels };
  }
}

export const jobResource: ResourceDefinition<JobObj> = {
  group: "batch",
  version: "v1",
  kind: "Job",
  plural: "jobs",
  singular: "job",
  categories: ["all"],
  namespaced: true,
  subresources: ["status"],
  strategy: {
    tracksGeneration: true,
    // batch/v1 orphans a job's pods unless the client asks otherwise.
    defaultPropagation: "Orphan",
    defaults: defaultJob,
    prepareForCreate: prepareJobForCreate,
    validate: validateJob,
    validateUpdate: validateJobUpdate,
    validateStatusUpdate: (job) =>
      validateStatusCounters(job.status, ["active", "succeeded", "failed", "ready", "terminating"]),
    selectableFields: (job) => ({ "status.successful": String(job.status?.succeeded ?? 0) }),
    printer: jobPrinter,
  },
};
