/**
 * The CronJob controller against a real in-process API server; the fake clock is moved to each
 * schedule time and the controller must wake up by itself. Jobs are finished by writing their
 * status (no Job controller runs here).
 */
import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import type { CoreV1Event, CronJobSpec } from "../../api/generated/types.ts";
import type { KubeObject } from "../../api/object.ts";
import { resourcePath, resources } from "../../client/resources.ts";
import { eventually } from "../../client/testing/test-api.ts";
import { type Harness, listItems, startControllers } from "../job/test-harness.ts";
import { newCronJobControllerFactory } from "./cronjob-controller.ts";
import type { CronJobObj, JobObj } from "./cronjob-utils.ts";

const ns = "default";
let h: Harness;

async function createCronJob(name: string, spec: Partial<CronJobSpec>): Promise<CronJobObj> {
  const cj: CronJobObj = {
    apiVersion: "batch/v1",
    kind: "CronJob",
    metadata: { name, namespace: ns },
    spec: {
      schedule: "* * * * *",
      jobTemplate: {
        metadata: { labels: { app: name } },
        spec: {
          template: {
            spec: { restartPolicy: "Never", containers: [{ name: "main", image: "busybox" }] },
          },
        },
      },
      ...spec,
    },
  };
  return h.client.create<CronJobObj>(resourcePath(resources.cronjobs, ns), cj);
}

const getCronJob = (name: string) =>
  h.client.get<CronJobObj>(resourcePath(resources.cronjobs, ns, name));
const jobsOf = (app: string) => listItems<JobObj>(h.client, resources.jobs, ns, `app=${app}`);

/** The first minute boundary after the CronJob's creation. */
function firstMinuteAfter(cj: CronJobObj): number {
  const created = Date.parse(cj.metadata?.creationTimestamp ?? "");
  return Math.floor(created / 60_000) * 60_000 + 60_000;
}

/** Moves the fake clock to `at` plus a second, firing the controller's timers on the way. */
function advanceTo(at: number): void {
  h.clock.advance(Math.max(0, at + 1000 - h.clock.now()));
}

async function waitForJobs(app: string, n: number): Promise<JobObj[]> {
  return eventually(async () => {
    const jobs = await jobsOf(app);
    return jobs.length === n
      ? jobs.sort((a, b) => (a.metadata!.name! < b.metadata!.name! ? -1 : 1))
      : undefined;
  });
}

async function finishJob(job: JobObj, type: "Complete" | "Failed"): Promise<void> {
  const now = new Date(h.clock.now()).toISOString().replace(/\.\d+Z$/, "Z");
  const condition = { type, status: "True", lastProbeTime: now, lastTransitionTime: now };
  await h.client.patch(resourcePath(resources.jobs, ns, job.metadata?.name, "status"), "merge", {
    status: {
      startTime: now,
      conditions: [condition],
      ...(type === "Complete" ? { completionTime: now } : {}),
    },
  });
}

async function eventsOf(name: string): Promise<CoreV1Event[]> {
  const events = await listItems<CoreV1Event & KubeObject>(h.client, resources.events, ns);
  return events.filter((e) => e.involvedObject.name === name);
}

const settle = () => new Promise((r) => setTimeout(r, 150));

describe("cronjob controller", () => {
  // A cluster per test: each starts its fake clock at the real time of its CronJob's creation.
  beforeEach(async () => {
    h = await startControllers([newCronJobControllerFactory({ defaultTimeZone: "UTC" })]);
  });
  afterEach(() => h.stop());

  it("creates a Job at each schedule time", async () => {
    const cj = await createCronJob("every-minute", {});
    const t1 = firstMinuteAfter(cj);
    await settle();
    assert.equal((await jobsOf("every-minute")).length, 0);
    advanceTo(t1);
    const [job] = await waitForJobs("every-minute", 1);
    assert.equal(job!.metadata?.name, `every-minute-${t1 / 60_000}`);
    assert.equal(
      job!.metadata?.annotations?.["batch.kubernetes.io/cronjob-scheduled-timestamp"],
      new Date(t1).toISOString().replace(/\.\d+Z$/, "Z"),
    );
    assert.deepEqual(job!.metadata?.ownerReferences, [
      {
        apiVersion: "batch/v1",
        kind: "CronJob",
        name: "every-minute",
        uid: cj.metadata?.uid,
        controller: true,
        blockOwnerDeletion: true,
      },
    ]);
    const status = await eventually(async () => {
      const s = (await getCronJob("every-minute")).status;
      return s?.active?.length === 1 ? s : undefined;
    });
    assert.equal(status.active?.[0]?.name, job!.metadata?.name);
    assert.equal(Date.parse(status.lastScheduleTime ?? ""), t1);
    advanceTo(t1 + 60_000);
    await waitForJobs("every-minute", 2);
    await finishJob(job!, "Complete");
    const done = await eventually(async () => {
      const s = (await getCronJob("every-minute")).status;
      return s?.lastSuccessfulTime && s.active?.length === 1 ? s : undefined;
    });
    assert.ok(done.lastSuccessfulTime);
    const reasons = (await eventsOf("every-minute")).map((e) => e.reason);
    assert.ok(reasons.includes("SuccessfulCreate"));
    assert.ok(reasons.includes("SawCompletedJob"));
  });

  it("Forbid holds a run back while one is active", async () => {
    const cj = await createCronJob("forbid", { concurrencyPolicy: "Forbid" });
    const t1 = firstMinuteAfter(cj);
    advanceTo(t1);
    const [first] = await waitForJobs("forbid", 1);
    advanceTo(t1 + 60_000);
    await eventually(async () =>
      (await eventsOf("forbid")).some((e) => e.reason === "JobAlreadyActive"),
    );
    await settle();
    assert.equal((await jobsOf("forbid")).length, 1);
    // Without a startingDeadlineSeconds, the held-back run starts (late) once the first ends.
    await finishJob(first!, "Complete");
    const jobs = await waitForJobs("forbid", 2);
    assert.equal(jobs[1]!.metadata?.name, `forbid-${t1 / 60_000 + 1}`);
    const status = await eventually(async () => {
      const s = (await getCronJob("forbid")).status;
      return s?.active?.[0]?.name === jobs[1]!.metadata?.name ? s : undefined;
    });
    assert.equal(Date.parse(status.lastScheduleTime ?? ""), t1 + 60_000);
  });

  it("Forbid with a starting deadline skips the held-back run", async () => {
    const spec = { concurrencyPolicy: "Forbid", startingDeadlineSeconds: 10 } as const;
    const cj = await createCronJob("forbid-late", spec);
    const t1 = firstMinuteAfter(cj);
    advanceTo(t1);
    const [first] = await waitForJobs("forbid-late", 1);
    advanceTo(t1 + 60_000);
    await eventually(async () =>
      (await eventsOf("forbid-late")).some((e) => e.reason === "JobAlreadyActive"),
    );
    h.clock.advance(20_000);
    await finishJob(first!, "Complete");
    await eventually(async () => !(await getCronJob("forbid-late")).status?.active);
    await settle();
    assert.equal((await jobsOf("forbid-late")).length, 1);
    advanceTo(t1 + 120_000);
    const jobs = await waitForJobs("forbid-late", 2);
    assert.equal(jobs[1]!.metadata?.name, `forbid-late-${t1 / 60_000 + 2}`);
  });

  it("Replace deletes the running Job and starts a new one", async () => {
    const cj = await createCronJob("replace", { concurrencyPolicy: "Replace" });
    const t1 = firstMinuteAfter(cj);
    advanceTo(t1);
    const [first] = await waitForJobs("replace", 1);
    advanceTo(t1 + 60_000);
    const [second] = await eventually(async () => {
      const jobs = await jobsOf("replace");
      return jobs.length === 1 && jobs[0]!.metadata?.name !== first!.metadata?.name
        ? jobs
        : undefined;
    });
    assert.equal(second!.metadata?.name, `replace-${t1 / 60_000 + 1}`);
    const status = await eventually(async () => {
      const s = (await getCronJob("replace")).status;
      return s?.active?.[0]?.name === second!.metadata?.name ? s : undefined;
    });
    assert.equal(status.active?.length, 1);
    assert.ok((await eventsOf("replace")).some((e) => e.reason === "SuccessfulDelete"));
  });

  it("keeps only the history limits of finished Jobs", async () => {
    const cj = await createCronJob("history", {
      successfulJobsHistoryLimit: 1,
      failedJobsHistoryLimit: 1,
    });
    const t1 = firstMinuteAfter(cj);
    // Runs end Complete, Failed, Complete, Failed; one of each is kept after each run.
    for (let i = 0; i < 4; i++) {
      advanceTo(t1 + i * 60_000);
      const jobs = await waitForJobs("history", Math.min(i + 1, 3));
      const latest = jobs.find((j) => j.metadata?.name === `history-${t1 / 60_000 + i}`)!;
      await finishJob(latest, i % 2 === 0 ? "Complete" : "Failed");
      await eventually(async () => !(await getCronJob("history")).status?.active);
      await waitForJobs("history", Math.min(i + 1, 2));
    }
    const kept = await waitForJobs("history", 2);
    assert.deepEqual(
      kept.map((j) => j.metadata?.name),
      [`history-${t1 / 60_000 + 2}`, `history-${t1 / 60_000 + 3}`],
    );
  });

  it("evaluates the schedule in spec.timeZone", async () => {
    const cj = await createCronJob("tokyo", { schedule: "0 9 * * *", timeZone: "Asia/Tokyo" });
    const created = Date.parse(cj.metadata?.creationTimestamp ?? "");
    // 09:00 in Tokyo is 00:00 UTC.
    const midnight = Math.floor(created / 86_400_000) * 86_400_000 + 86_400_000;
    advanceTo(midnight - 120_000);
    await settle();
    assert.equal((await jobsOf("tokyo")).length, 0);
    advanceTo(midnight);
    const [job] = await waitForJobs("tokyo", 1);
    assert.equal(job!.metadata?.name, `tokyo-${midnight / 60_000}`);
    const stamp = new Date(midnight + 9 * 3_600_000).toISOString().slice(0, 19);
    assert.equal(
      job!.metadata?.annotations?.["batch.kubernetes.io/cronjob-scheduled-timestamp"],
      `${stamp}+09:00`,
    );
  });

  it("skips runs missed by more than startingDeadlineSeconds", async () => {
    const cj = await createCronJob("late", { startingDeadlineSeconds: 10 });
    const t1 = firstMinuteAfter(cj);
    // The timer fires during the jump, but the controller only looks after it, 30 s late.
    h.clock.advance(t1 + 30_000 - h.clock.now());
    await settle();
    assert.equal((await jobsOf("late")).length, 0);
    advanceTo(t1 + 60_000);
    const [job] = await waitForJobs("late", 1);
    assert.equal(job!.metadata?.name, `late-${t1 / 60_000 + 1}`);
  });

  it("starts nothing while suspended", async () => {
    const cj = await createCronJob("paused", { suspend: true });
    const t1 = firstMinuteAfter(cj);
    advanceTo(t1 + 120_000);
    await settle();
    assert.equal((await jobsOf("paused")).length, 0);
    await h.client.patch(resourcePath(resources.cronjobs, ns, "paused"), "merge", {
      spec: { suspend: false },
    });
    // The most recent missed time runs at once on resume.
    const [job] = await waitForJobs("paused", 1);
    assert.equal(job!.metadata?.name, `paused-${t1 / 60_000 + 2}`);
  });
});
