/**
 * CronJob helpers (upstream `pkg/controller/cronjob/utils.go`): the most recent unmet schedule
 * time, when to wake up next, the deterministic Job name for a scheduled time, the Job built
 * from the template, and the active list.
 */
import type { CronJob, Job, ObjectReference } from "../../api/generated/types.ts";
import type { KubeObject } from "../../api/object.ts";
import type { Schedule } from "./cron-schedule.ts";
import { formatRFC3339InZone } from "./zone-time.ts";

export type CronJobObj = CronJob & KubeObject;
export type JobObj = Job & KubeObject;

export const cronJobScheduledTimestampAnnotation =
  "batch.kubernetes.io/cronjob-scheduled-timestamp";
/** Upstream wakes up a little after the schedule time, to stay clear of clock skew. */
export const nextScheduleDeltaMs = 100;

const parseTime = (t: string | undefined) => (t ? Date.parse(t) : undefined);

export interface MostRecent {
  readonly earliest: number;
  readonly mostRecent: number | undefined;
  readonly missed: number;
}

/**
 * `mostRecentScheduleTime`: the latest schedule time in (earliest, now], where earliest is the
 * last schedule time (else creation), moved up to now - startingDeadlineSeconds when asked.
 */
export function mostRecentScheduleTime(
  cj: CronJobObj,
  now: number,
  schedule: Schedule,
  includeStartingDeadline: boolean,
): MostRecent {
  let earliest =
    parseTime(cj.status?.lastScheduleTime) ?? parseTime(cj.metadata?.creationTimestamp) ?? now;
  const sds = cj.spec?.startingDeadlineSeconds;
  if (includeStartingDeadline && sds != null) earliest = Math.max(earliest, now - sds * 1000);
  const t1 = schedule.next(earliest);
  if (t1 === undefined || t1 > now) return { earliest, mostRecent: undefined, missed: 0 };
  const t2 = schedule.next(t1);
  if (t2 === undefined || t2 > now) return { earliest, mostRecent: t1, missed: 1 };
  // Estimate how many were missed from the first interval and jump close to now, as upstream
  // does, so that a schedule missed for years costs a few steps, not millions.
  const interval = Math.max(1000, t2 - t1);
  const missed = Math.floor((now - t1) / interval) + 1;
  let mostRecent: number | undefined;
  const jumpFrom = t1 + Math.max(0, missed - 2) * interval - 1;
  for (let t = schedule.next(jumpFrom); t !== undefined && t <= now; t = schedule.next(t)) {
    mostRecent = t;
  }
  if (mostRecent === undefined) {
    // Irregular schedules can defeat the estimate; walk from the start instead.
    for (let t: number | undefined = t1; t !== undefined && t <= now; t = schedule.next(t))
      mostRecent = t;
  }
  return { earliest, mostRecent, missed };
}

/** `nextScheduleTimeDuration`: ms until the schedule time after the most recent one. */
export function nextScheduleTimeDuration(
  cj: CronJobObj,
  now: number,
  schedule: Schedule,
): number | undefined {
  const { earliest, mostRecent } = mostRecentScheduleTime(cj, now, schedule, false);
  const next = schedule.next(mostRecent ?? earliest);
  return next === undefined ? undefined : next + nextScheduleDeltaMs - now;
}

/** `getJobName`: `<cronjob>-<scheduled time in minutes since the epoch>`. */
export function jobNameFor(cj: CronJobObj, scheduledTime: number): string {
  return `${cj.metadata?.name}-${Math.floor(scheduledTime / 60_000)}`;
}

/** `getJobFromTemplate2`: the template's labels, annotations and spec, owned by the CronJob. */
export function jobFromTemplate(cj: CronJobObj, scheduledTime: number): JobObj {
  const template = cj.spec?.jobTemplate ?? {};
  const annotations: Record<string, string> = {
    ...template.metadata?.annotations,
    [cronJobScheduledTimestampAnnotation]: formatRFC3339InZone(
      scheduledTime,
      cj.spec?.timeZone ?? "",
    ),
  };
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: {
      name: jobNameFor(cj, scheduledTime),
      namespace: cj.metadata?.namespace ?? "",
      ...(template.metadata?.labels ? { labels: { ...template.metadata.labels } } : {}),
      annotations,
      ownerReferences: [
        {
          apiVersion: "batch/v1",
          kind: "CronJob",
          name: cj.metadata?.name ?? "",
          uid: cj.metadata?.uid ?? "",
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    spec: structuredClone(template.spec ?? { template: {} }),
  };
}

export function jobRef(job: JobObj): ObjectReference {
  const meta = job.metadata ?? {};
  return {
    kind: "Job",
    namespace: meta.namespace ?? "",
    name: meta.name ?? "",
    uid: meta.uid ?? "",
    apiVersion: "batch/v1",
    ...(meta.resourceVersion ? { resourceVersion: meta.resourceVersion } : {}),
  };
}

export function inActiveList(cj: CronJobObj, uid: string | undefined): boolean {
  return (cj.status?.active ?? []).some((r) => r.uid === uid);
}

export function inActiveListByName(cj: CronJobObj, name: string): boolean {
  return (cj.status?.active ?? []).some(
    (r) => r.name === name && r.namespace === cj.metadata?.namespace,
  );
}

export function deleteFromActiveList(cj: CronJobObj, uid: string | undefined): void {
  if (!cj.status?.active) return;
  const kept = cj.status.active.filter((r) => r.uid !== uid);
  if (kept.length > 0) cj.status.active = kept;
  else delete cj.status.active;
}

/** The Complete or Failed condition type of a finished Job. */
export function finishedStatusOf(job: JobObj): "Complete" | "Failed" | undefined {
  const c = (job.status?.conditions ?? []).find(
    (x) => (x.type === "Complete" || x.type === "Failed") && x.status === "True",
  );
  return c?.type as "Complete" | "Failed" | undefined;
}

/** `byJobStartTime`: started jobs first, oldest first, names breaking ties. */
export function byJobStartTime(a: JobObj, b: JobObj): number {
  const sa = parseTime(a.status?.startTime);
  const sb = parseTime(b.status?.startTime);
  if (sa === undefined && sb !== undefined) return 1;
  if (sa !== undefined && sb === undefined) return -1;
  if (sa === sb) {
    const [na, nb] = [a.metadata?.name ?? "", b.metadata?.name ?? ""];
    return na < nb ? -1 : na > nb ? 1 : 0;
  }
  return (sa ?? 0) - (sb ?? 0);
}
