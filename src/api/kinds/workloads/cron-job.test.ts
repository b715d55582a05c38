import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { CronJob } from "../../generated/types.ts";
import type { Obj } from "./common.ts";
import { cronJobResource as def } from "./cron-job.ts";
import { parseStandardSchedule } from "./cron-schedule.ts";
import { createLike, updateLike, validateCreate, validateUpdate } from "./testing.ts";

const cronJob = (schedule = "*/5 * * * *"): Obj<CronJob> => ({
  metadata: { name: "backup", namespace: "default" },
  spec: {
    schedule,
    jobTemplate: {
      spec: {
        template: {
          spec: { restartPolicy: "OnFailure", containers: [{ name: "b", image: "busybox" }] },
        },
      },
    },
  },
});

const scheduleError = (s: string): string | undefined => {
  try {
    parseStandardSchedule(s);
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
};

describe("CronJob", () => {
  it("applies upstream defaults", () => {
    const c = createLike(def, cronJob());
    assert.equal(c.spec!.concurrencyPolicy, "Allow");
    assert.equal(c.spec!.suspend, false);
    assert.equal(c.spec!.successfulJobsHistoryLimit, 3);
    assert.equal(c.spec!.failedJobsHistoryLimit, 1);
    assert.equal(c.spec!.jobTemplate.spec!.template.spec!.dnsPolicy, "ClusterFirst");
  });

  it("accepts valid schedules", () => {
    for (const s of [
      "0 0 * * *",
      "*/15 9-17 * * MON-FRI",
      "0 0 1 jan,jul *",
      "@daily",
      "@every 1h30m",
      "5 4 * * sun",
    ]) {
      assert.equal(scheduleError(s), undefined, s);
    }
    assert.deepEqual(validateCreate(def, createLike(def, cronJob())), []);
  });

  it("reports robfig/cron's messages", () => {
    assert.equal(scheduleError("* * *"), "expected exactly 5 fields, found 3: [* * *]");
    assert.equal(scheduleError("61 * * * *"), "end of range (61) above maximum (59): 61");
    assert.equal(
      scheduleError("x * * * *"),
      'failed to parse int from x: strconv.Atoi: parsing "x": invalid syntax',
    );
    assert.equal(scheduleError("@sometimes"), "unrecognized descriptor: @sometimes");
    assert.equal(
      scheduleError("@every 1d"),
      'failed to parse duration @every 1d: time: unknown unit "d" in duration "1d"',
    );
    assert.equal(
      scheduleError("5-1 * * * *"),
      "beginning of range (5) beyond end of range (1): 5-1",
    );
  });

  it("validates the schedule, time zone and job template", () => {
    const c = cronJob("bad");
    c.spec!.timeZone = "Mars/Olympus";
    c.spec!.jobTemplate.spec!.template.spec!.restartPolicy = "Always";
    assert.deepEqual(validateCreate(def, createLike(def, c)), [
      'spec.schedule: Invalid value: "bad": expected exactly 5 fields, found 1: [bad]',
      'spec.timeZone: Invalid value: "Mars/Olympus": unknown time zone Mars/Olympus',
      'spec.jobTemplate.spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never"',
    ]);
    const empty = cronJob("");
    assert.deepEqual(validateCreate(def, createLike(def, empty)), [
      "spec.schedule: Required value",
    ]);
    const tz = cronJob();
    tz.spec!.timeZone = "Europe/Berlin";
    assert.deepEqual(validateCreate(def, createLike(def, tz)), []);
    const withTZ = cronJob("TZ=UTC 0 * * * *");
    assert.deepEqual(validateCreate(def, createLike(def, withTZ)), [
      'spec.schedule: Invalid value: "TZ=UTC 0 * * * *": cannot use TZ or CRON_TZ in schedule, use timeZone field instead',
    ]);
  });

  it("allows schedule updates", () => {
    const old = createLike(def, cronJob());
    const next = structuredClone(old);
    next.spec!.schedule = "@hourly";
    assert.deepEqual(validateUpdate(def, updateLike(def, next, old), old), []);
  });

  it("prints schedule, suspend and last schedule", () => {
    const c = createLike(def, cronJob());
    c.status = { lastScheduleTime: "2024-01-01T00:10:00Z", active: [{ name: "backup-1" }] };
    assert.deepEqual(def.strategy.printer!.row(c, Date.parse("2024-01-01T00:15:00Z")), [
      "backup",
      "*/5 * * * *",
      "<none>",
      "False",
      1,
      "5m",
      "15m",
      "b",
      "busybox",
      "<none>",
    ]);
  });
});
