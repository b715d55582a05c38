/**
 * batch/v1 CronJob: defaults, validation (schedule, time zone, concurrency policy, the job
 * template) and the `kubectl get cronjobs` table.
 */

import * as field from "../../../machinery/field-errors.ts";
import { type FieldPath, newPath } from "../../../machinery/field-path.ts";
import type { CronJob, CronJobSpec } from "../../generated/types.ts";
import type { ResourceDefinition } from "../../resource.ts";
import { defaultCronJob } from "./batch-defaults.ts";
import { cronJobPrinter } from "./batch-printers.ts";
import { type FieldErrors, type Obj, validateNonnegativeField } from "./common.ts";
import { parseStandardSchedule, timeZoneError } from "./cron-schedule.ts";
import { validateJobTemplateSpec } from "./job-validation.ts";
import { validateEnum } from "./pod-container-validation.ts";

type CronJobObj = Obj<CronJob>;

const validTimeZonePart = /^[A-Za-z.\-_0-9+]{1,14}$/;

function validateSchedule(spec: CronJobSpec, old: CronJobSpec | undefined, path: FieldPath) {
  const schedule = spec.schedule ?? "";
  if (!schedule) return [field.required(path, "")];
  const errs: FieldErrors = [];
  try {
    parseStandardSchedule(schedule);
  } catch (err) {
    errs.push(field.invalid(path, schedule, (err as Error).message));
  }
  const allowTZ = (old?.schedule ?? "").includes("TZ");
  if (allowTZ && schedule.includes("TZ") && spec.timeZone != null) {
    errs.push(
      field.invalid(path, schedule, "cannot use both timeZone field and TZ or CRON_TZ in schedule"),
    );
  } else if (!allowTZ && schedule.includes("TZ")) {
    errs.push(
      field.invalid(
        path,
        schedule,
        "cannot use TZ or CRON_TZ in schedule, use timeZone field instead",
      ),
    );
  }
  return errs;
}

export function validateTimeZone(zone: string | undefined, path: FieldPath): FieldErrors {
  if (zone == null) return [];
  if (zone === "") return [field.invalid(path, zone, "timeZone must be nil or non-empty string")];
  for (const part of zone.split("/")) {
    if (part === "." || part === ".." || part.startsWith("-") || !validTimeZonePart.test(part)) {
      return [field.invalid(path, zone, `unknown time zone ${zone}`)];
    }
  }
  const errs: FieldErrors = [];
  if (zone.toLowerCase() === "local") {
    errs.push(
      field.invalid(
        path,
        zone,
        "timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones",
      ),
    );
  }
  const err = timeZoneError(zone);
  if (err) errs.push(field.invalid(path, zone, err));
  return errs;
}

export function validateCronJobSpec(spec: CronJobSpec | undefined, old: CronJobSpec | undefined) {
  const path = newPath("spec");
  const s = spec ?? ({ schedule: "", jobTemplate: {} } as CronJobSpec);
  const errs = validateSchedule(s, old, path.child("schedule"));
  if (s.startingDeadlineSeconds != null) {
    errs.push(
      ...validateNonnegativeField(s.startingDeadlineSeconds, path.child("startingDeadlineSeconds")),
    );
  }
  if (!old || old.timeZone !== s.timeZone)
    errs.push(...validateTimeZone(s.timeZone, path.child("timeZone")));
  errs.push(
    ...validateEnum(s.concurrencyPolicy, path.child("concurrencyPolicy"), [
      "Allow",
      "Forbid",
      "Replace",
    ]),
  );
  errs.push(...validateJobTemplateSpec(s.jobTemplate, path.child("jobTemplate")));
  for (const name of ["successfulJobsHistoryLimit", "failedJobsHistoryLimit"] as const) {
    const v = s[name];
    if (v != null) errs.push(...validateNonnegativeField(v, path.child(name)));
  }
  return errs;
}

/** Create also limits the name to 52 characters (jobs get an 11-character suffix). */
export function validateCronJob(cj: CronJob): FieldErrors {
  const errs = validateCronJobSpec(cj.spec, undefined);
  const name = cj.metadata?.name ?? "";
  if (name.length > 52) {
    errs.push(
      field.invalid(newPath("metadata", "name"), name, "must be no more than 52 characters"),
    );
  }
  return errs;
}

export const cronJobResource: ResourceDefinition<CronJobObj> = {
  group: "batch",
  version: "v1",
  kind: "CronJob",
  plural: "cronjobs",
  singular: "cronjob",
  shortNames: ["cj"],
  categories: ["all"],
  namespaced: true,
  subresources: ["status"],
  strategy: {
    tracksGeneration: true,
    defaults: defaultCronJob,
    prepareForCreate(cj) {
      cj.status = {};
    },
    validate: validateCronJob,
    validateUpdate: (cj, old) => validateCronJobSpec(cj.spec, old.spec),
    printer: cronJobPrinter,
  },
};
