/**
 * `syncCronJob` (upstream `cronjob_controllerv2.go`): reconcile the active list with the Jobs
 * the CronJob owns, then — unless suspended — start the most recent unmet schedule time,
 * honouring startingDeadlineSeconds and the concurrency policy. Works on a private copy of the
 * CronJob and says whether its status changed and when to look again.
 */
import type { EventRecorder } from "../../client/event-recorder.ts";
import { resourcePath, resources } from "../../client/resources.ts";
import type { RestClient } from "../../client/rest-client.ts";
import { isStatusError } from "../../machinery/status.ts";
import { formatTime, parseTime } from "../../machinery/time.ts";
import { parseSchedule, type Schedule } from "./cron-schedule.ts";
import {
  type CronJobObj,
  deleteFromActiveList,
  finishedStatusOf,
  inActiveList,
  inActiveListByName,
  type JobObj,
  jobFromTemplate,
  jobNameFor,
  jobRef,
  mostRecentScheduleTime,
  nextScheduleTimeDuration,
} from "./cronjob-utils.ts";
import { checkTimeZone, formatRFC1123Z } from "./zone-time.ts";

export interface CronJobDeps {
  readonly client: RestClient;
  readonly recorder: EventRecorder;
  readonly now: () => number;
  /** The zone of schedules without a timeZone (upstream: the controller manager's local zone). */
  readonly defaultTimeZone: string;
}

export interface SyncResult {
  /** ms until the next sync; undefined: only events (or the retry of `error`) wake it. */
  requeueAfter: number | undefined;
  updateStatus: boolean;
  error?: unknown;
}

/** Deletes a Job in the background and drops it from the active list. */
export async function deleteJob(deps: CronJobDeps, cj: CronJobObj, job: JobObj): Promise<boolean> {
  const meta = job.metadata ?? {};
  try {
    await deps.client.delete(resourcePath(resources.jobs, meta.namespace, meta.name), {
      propagationPolicy: "Background",
    });
  } catch (err) {
    if (!isStatusError(err, "NotFound")) {
      deps.recorder.event(cj, "Warning", "FailedDelete", `Deleted job: ${(err as Error).message}`);
      return false;
    }
  }
  deleteFromActiveList(cj, meta.uid);
  deps.recorder.event(cj, "Normal", "SuccessfulDelete", `Deleted job ${meta.name}`);
  return true;
}

/** Drops finished and vanished Jobs from the active list; notes the last success. */
async function reconcileActive(
  deps: CronJobDeps,
  cj: CronJobObj,
  jobs: readonly JobObj[],
): Promise<boolean> {
  let updateStatus = false;
  const children = new Set<string>();
  for (const j of jobs) {
    const uid = j.metadata?.uid ?? "";
    children.add(uid);
    const finished = finishedStatusOf(j);
    const found = inActiveList(cj, uid);
    if (!found && !finished) {
      // The cached CronJob may predate the status write that listed this Job.
      const meta = cj.metadata ?? {};
      const fresh = await deps.client.get<CronJobObj>(
        resourcePath(resources.cronjobs, meta.namespace, meta.name),
      );
      if (inActiveList(fresh, uid)) {
        Object.assign(cj, { metadata: fresh.metadata, spec: fresh.spec, status: fresh.status });
        continue;
      }
      deps.recorder.event(
        cj,
        "Warning",
        "UnexpectedJob",
        `Saw a job that the controller did not create or forgot: ${j.metadata?.name}`,
      );
    } else if (found && finished) {
      deleteFromActiveList(cj, uid);
      deps.recorder.event(
        cj,
        "Normal",
        "SawCompletedJob",
        `Saw completed job: ${j.metadata?.name}, condition: ${finished}`,
      );
      updateStatus = true;
    } else if (finished) {
      const completed = j.status?.completionTime;
      const last = cj.status?.lastSuccessfulTime;
      if (completed && (!last || Date.parse(completed) > Date.parse(last))) {
        cj.status = { ...cj.status, lastSuccessfulTime: completed };
        updateStatus = true;
      }
    }
  }
  return (await dropMissingJobs(deps, cj, children)) || updateStatus;
}

/** Active references to Jobs that no longer exist (the API confirms) are dropped. */
async function dropMissingJobs(deps: CronJobDeps, cj: CronJobObj, children: ReadonlySet<string>) {
  let updateStatus = false;
  for (const ref of [...(cj.status?.active ?? [])]) {
    if (children.has(ref.uid ?? "")) continue;
    try {
      // The cache may lag behind; ask the API before declaring the Job gone.
      await deps.client.get(resourcePath(resources.jobs, ref.namespace, ref.name));
    } catch (err) {
      if (!isStatusError(err, "NotFound")) throw err;
      deps.recorder.event(cj, "Normal", "MissingJob", `Active job went missing: ${ref.name}`);
      deleteFromActiveList(cj, ref.uid);
      updateStatus = true;
    }
  }
  return updateStatus;
}

function scheduleOf(deps: CronJobDeps, cj: CronJobObj): Schedule | undefined {
  const spec = cj.spec!;
  if (spec.timeZone != null) {
    try {
      checkTimeZone(spec.timeZone);
    } catch (err) {
      const msg = `invalid timeZone: "${spec.timeZone}": ${(err as Error).message}`;
      deps.recorder.event(cj, "Warning", "UnknownTimeZone", msg);
      return undefined;
    }
  }
  if (spec.suspend) return undefined;
  try {
    return parseSchedule(spec.schedule, spec.timeZone ?? deps.defaultTimeZone);
  } catch (err) {
    const msg = `unparseable schedule: "${spec.schedule}" : ${(err as Error).message}`;
    deps.recorder.event(cj, "Warning", "UnparseableSchedule", msg);
    return undefined;
  }
}

/** The most recent schedule time not yet run, unless too late (startingDeadlineSeconds). */
function unmetScheduleTime(
  deps: CronJobDeps,
  cj: CronJobObj,
  now: number,
  schedule: Schedule,
): number | undefined {
  const recent = mostRecentScheduleTime(cj, now, schedule, true);
  if (recent.missed > 100) {
    const msg = `too many missed start times: ${recent.missed}. Set or decrease .spec.startingDeadlineSeconds or check clock skew`;
    deps.recorder.event(cj, "Warning", "TooManyMissedTimes", msg);
  }
  const scheduled = recent.mostRecent;
  const sds = cj.spec?.startingDeadlineSeconds;
  if (scheduled !== undefined && sds != null && scheduled + sds * 1000 < now) {
    const msg = `Missed scheduled time to start a job: ${formatRFC1123Z(scheduled)}`;
    deps.recorder.event(cj, "Warning", "MissSchedule", msg);
    return undefined;
  }
  return scheduled;
}

/** Starts the run of `scheduled` as the concurrency policy allows; true if status changed. */
async function startJob(deps: CronJobDeps, cj: CronJobObj, scheduled: number): Promise<boolean> {
  const policy = cj.spec?.concurrencyPolicy ?? "Allow";
  if (policy === "Forbid" && (cj.status?.active?.length ?? 0) > 0) {
    const msg =
      "Not starting job because prior execution is running and concurrency policy is Forbid";
    deps.recorder.event(cj, "Normal", "JobAlreadyActive", msg);
    return false;
  }
  let updateStatus = false;
  if (policy === "Replace") {
    for (const ref of [...(cj.status?.active ?? [])]) {
      const path = resourcePath(resources.jobs, ref.namespace, ref.name);
      const job = await deps.client.get<JobObj>(path);
      if (!(await deleteJob(deps, cj, job))) {
        throw new Error(`could not replace job ${ref.namespace}/${ref.name}`);
      }
      updateStatus = true;
    }
  }
  const created = await createJob(deps, cj, jobFromTemplate(cj, scheduled));
  if (!created) return updateStatus;
  cj.status = { ...cj.status, active: [...(cj.status?.active ?? []), jobRef(created)] };
  cj.status.lastScheduleTime = formatTime(scheduled);
  return true;
}

export async function syncCronJob(
  deps: CronJobDeps,
  cj: CronJobObj,
  jobs: readonly JobObj[],
): Promise<SyncResult> {
  let updateStatus = await reconcileActive(deps, cj, jobs);
  if (cj.metadata?.deletionTimestamp || !cj.spec) return { requeueAfter: undefined, updateStatus };
  const schedule = scheduleOf(deps, cj);
  if (!schedule) return { requeueAfter: undefined, updateStatus };
  const now = deps.now();
  const scheduled = unmetScheduleTime(deps, cj, now, schedule);
  const lastScheduled = parseTime(cj.status?.lastScheduleTime);
  const processed =
    scheduled === undefined ||
    inActiveListByName(cj, jobNameFor(cj, scheduled)) ||
    lastScheduled === scheduled;
  if (!processed) {
    try {
      updateStatus = (await startJob(deps, cj, scheduled)) || updateStatus;
    } catch (err) {
      // Status changes made so far (a replaced Job) are still written; the key is retried.
      return { requeueAfter: undefined, updateStatus, error: err };
    }
  }
  return { requeueAfter: nextScheduleTimeDuration(cj, now, schedule), updateStatus };
}

/** Creates the Job; one that already exists and is ours (a status write was lost) is reused. */
async function createJob(
  deps: CronJobDeps,
  cj: CronJobObj,
  request: JobObj,
): Promise<JobObj | undefined> {
  const namespace = cj.metadata?.namespace ?? "";
  try {
    const job = await deps.client.create<JobObj>(resourcePath(resources.jobs, namespace), request);
    deps.recorder.event(cj, "Normal", "SuccessfulCreate", `Created job ${job.metadata?.name}`);
    return job;
  } catch (err) {
    if (!isStatusError(err, "AlreadyExists")) {
      deps.recorder.event(
        cj,
        "Warning",
        "FailedCreate",
        `Error creating job: ${(err as Error).message}`,
      );
      throw err;
    }
  }
  const job = await deps.client.get<JobObj>(
    resourcePath(resources.jobs, namespace, request.metadata?.name),
  );
  const ref = (job.metadata?.ownerReferences ?? []).find((r) => r.controller);
  if (ref?.uid !== cj.metadata?.uid || inActiveList(cj, job.metadata?.uid)) return undefined;
  return job;
}
