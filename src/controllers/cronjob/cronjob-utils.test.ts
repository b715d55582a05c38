import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseSchedule } from "./cron-schedule.ts";
import {
  type CronJobObj,
  jobFromTemplate,
  mostRecentScheduleTime,
  nextScheduleTimeDuration,
} from "./cronjob-utils.ts";

const t = (iso: string) => Date.parse(iso);

function cronJob(
  created: string,
  extra: Partial<NonNullable<CronJobObj["spec"]>> = {},
  last?: string,
): CronJobObj {
  return {
    metadata: { name: "cj", namespace: "ns", uid: "u1", creationTimestamp: created },
    spec: { schedule: "* * * * *", jobTemplate: {}, ...extra },
    ...(last ? { status: { lastScheduleTime: last } } : {}),
  };
}

describe("cronjob utils", () => {
  it("finds the most recent unmet time, also after a year of misses", () => {
    const every = parseSchedule("* * * * *", "UTC");
    const cj = cronJob("2025-01-01T00:00:30Z");
    const now = t("2026-01-01T12:34:56Z");
    const r = mostRecentScheduleTime(cj, now, every, true);
    assert.equal(r.mostRecent, t("2026-01-01T12:34:00Z"));
    assert.ok(r.missed > 500_000);
    const none = mostRecentScheduleTime(cronJob("2026-01-01T12:34:10Z"), now, every, true);
    assert.equal(none.mostRecent, undefined);
  });

  it("handles irregular schedules and the last schedule time", () => {
    const weekdays = parseSchedule("0 9 * * 1-5", "UTC");
    // 2026-01-10 is a Saturday: the last weekday 09:00 is Friday the 9th.
    const cj = cronJob("2025-12-01T00:00:00Z", {}, "2025-12-15T09:00:00Z");
    const r = mostRecentScheduleTime(cj, t("2026-01-10T12:00:00Z"), weekdays, true);
    assert.equal(r.mostRecent, t("2026-01-09T09:00:00Z"));
  });

  it("moves the earliest time up to now minus startingDeadlineSeconds", () => {
    const every = parseSchedule("* * * * *", "UTC");
    const cj = cronJob("2026-01-01T00:00:00Z", { startingDeadlineSeconds: 30 });
    const late = mostRecentScheduleTime(cj, t("2026-01-01T00:05:45Z"), every, true);
    assert.equal(late.mostRecent, undefined);
    const inTime = mostRecentScheduleTime(cj, t("2026-01-01T00:05:20Z"), every, true);
    assert.equal(inTime.mostRecent, t("2026-01-01T00:05:00Z"));
  });

  it("wakes up 100 ms after the next schedule time", () => {
    const hourly = parseSchedule("@hourly", "UTC");
    const cj = cronJob("2026-01-01T00:10:00Z", {}, "2026-01-01T00:00:00Z");
    assert.equal(
      nextScheduleTimeDuration(cj, t("2026-01-01T00:20:00Z"), hourly),
      40 * 60_000 + 100,
    );
  });

  it("builds the Job for a scheduled time", () => {
    const cj = cronJob("2026-01-01T00:00:00Z", {
      timeZone: "Europe/Paris",
      jobTemplate: {
        metadata: { labels: { a: "b" }, annotations: { x: "y" } },
        spec: { template: {} },
      },
    });
    const job = jobFromTemplate(cj, t("2026-01-01T05:00:00Z"));
    assert.equal(job.metadata?.name, `cj-${t("2026-01-01T05:00:00Z") / 60_000}`);
    assert.deepEqual(job.metadata?.labels, { a: "b" });
    assert.deepEqual(job.metadata?.annotations, {
      x: "y",
      "batch.kubernetes.io/cronjob-scheduled-timestamp": "2026-01-01T06:00:00+01:00",
    });
    assert.equal(job.metadata?.ownerReferences?.[0]?.kind, "CronJob");
  });
});
