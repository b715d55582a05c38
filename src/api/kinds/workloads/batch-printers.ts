/**
 * `kubectl get` tables of the batch/v1 kinds (upstream `printJob`, `printCronJob`).
 */
import type { CronJob, Job, JobCondition } from "../../generated/types.ts";
import { age, column, humanDuration, type Printer } from "../../printer.ts";
import {
  ageColumn,
  ageOf,
  containerCells,
  containerColumns,
  formatLabelSelector,
  nameColumn,
  nameOf,
  selectorColumn,
} from "./common.ts";

const hasCondition = (conditions: readonly JobCondition[] | undefined, type: string): boolean =>
  (conditions ?? []).some((c) => c.type === type && c.status === "True");

function jobStatus(job: Job): string {
  const c = job.status?.conditions;
  if (hasCondition(c, "Complete")) return "Complete";
  if (hasCondition(c, "Failed")) return "Failed";
  if (job.metadata?.deletionTimestamp) return "Terminating";
  if (hasCondition(c, "Suspended")) return "Suspended";
  if (hasCondition(c, "FailureTarget")) return "FailureTarget";
  if (hasCondition(c, "SuccessCriteriaMet")) return "SuccessCriteriaMet";
  return "Running";
}

function completions(job: Job): string {
  const succeeded = job.status?.succeeded ?? 0;
  if (job.spec?.completions != null) return `${succeeded}/${job.spec.completions}`;
  const parallelism = job.spec?.parallelism ?? 0;
  return parallelism > 1 ? `${succeeded}/1 of ${parallelism}` : `${succeeded}/1`;
}

function duration(job: Job, now: number): string {
  const start = job.status?.startTime;
  if (!start) return "";
  const end = job.status?.completionTime;
  return humanDuration((end ? Date.parse(end) : now) - Date.parse(start));
}

export const jobPrinter: Printer<Job> = {
  columns: [
    nameColumn(),
    column("Status", { description: "Status of the job." }),
    column("Completions", { description: "The number of pods which reached phase Succeeded." }),
    column("Duration", { description: "Time required to complete the job." }),
    ageColumn(),
    ...containerColumns(),
    selectorColumn(),
  ],
  row(job, now) {
    return [
      nameOf(job),
      jobStatus(job),
      completions(job),
      duration(job, now),
      ageOf(job, now),
      ...containerCells(job.spec?.template?.spec?.containers),
      formatLabelSelector(job.spec?.selector),
    ];
  },
};

export const cronJobPrinter: Printer<CronJob> = {
  columns: [
    nameColumn(),
    column("Schedule", {
      description: "The schedule in Cron format, see https://en.wikipedia.org/wiki/Cron.",
    }),
    column("Timezone", {
      description:
        "The time zone name for the given schedule, see https://en.wikipedia.org/wiki/List_of_tz_database_time_zones.",
    }),
    column("Suspend", {
      type: "boolean",
      description:
        "This flag tells the controller to suspend subsequent executions, it does not apply to already started executions.  Defaults to false.",
    }),
    column("Active", {
      type: "integer",
      description: "A list of pointers to currently running jobs.",
    }),
    column("Last Schedule", {
      type: "date",
      description: "Information when was the last time the job was successfully scheduled.",
    }),
    ageColumn(),
    ...containerColumns(),
    selectorColumn(),
  ],
  row(cj, now) {
    const spec = cj.spec;
    const last = cj.status?.lastScheduleTime;
    const suspend = spec?.suspend;
    return [
      nameOf(cj),
      spec?.schedule ?? "",
      spec?.timeZone ?? "<none>",
      suspend == null ? "<unset>" : suspend ? "True" : "False",
      (cj.status?.active ?? []).length,
      last ? age(last, now) : "<none>",
      ageOf(cj, now),
      ...containerCells(spec?.jobTemplate?.spec?.template?.spec?.containers),
      formatLabelSelector(spec?.jobTemplate?.spec?.selector),
    ];
  },
};
