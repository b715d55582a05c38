/**
 * The CronJob controller (upstream `cronjob_controllerv2.go`): per CronJob key, prune finished
 * Jobs beyond the history limits, run `syncCronJob`, write status once, and sleep until the next
 * schedule time on the injected clock (one timer per CronJob, no polling).
 */
import { runWorkers } from "../../client/controller.ts";
import { type Informer, keyOf } from "../../client/informer.ts";
import { resourcePath, resources } from "../../client/resources.ts";
import { WorkQueue } from "../../client/work-queue.ts";
import { onAbort } from "../../machinery/abort.ts";
import type { Controller, ControllerContext, ControllerFactory } from "../context.ts";
import { DelayedEnqueuer } from "../job/delayed-enqueuer.ts";
import { byJobStartTime, type CronJobObj, finishedStatusOf, type JobObj } from "./cronjob-utils.ts";
import { type CronJobDeps, deleteJob, syncCronJob } from "./sync-cronjob.ts";

export interface CronJobControllerOptions {
  /** Zone of schedules without spec.timeZone; defaults to this process's local zone. */
  readonly defaultTimeZone?: string;
  readonly workers?: number;
}

function cronJobKeyOfJob(job: JobObj): string | undefined {
  const ref = (job.metadata?.ownerReferences ?? []).find((r) => r.controller);
  if (ref?.kind !== "CronJob" || ref.apiVersion !== "batch/v1") return undefined;
  return `${job.metadata?.namespace}/${ref.name}`;
}

export class CronJobController implements Controller {
  readonly name = "cronjob-controller";
  readonly #ctx: ControllerContext;
  readonly #cronJobs: Informer<CronJobObj>;
  readonly #jobs: Informer<JobObj>;
  readonly #queue: WorkQueue<string>;
  readonly #delayed: DelayedEnqueuer;
  readonly #deps: CronJobDeps;
  readonly #workers: number;

  constructor(ctx: ControllerContext, options: CronJobControllerOptions = {}) {
    this.#ctx = ctx;
    this.#workers = options.workers ?? 5;
    this.#cronJobs = ctx.informers.informer<CronJobObj>(resources.cronjobs);
    this.#jobs = ctx.informers.informer<JobObj>(resources.jobs);
    this.#queue = new WorkQueue<string>({ maxDelayMs: 60_000 });
    this.#delayed = new DelayedEnqueuer(ctx.clock, this.#queue);
    this.#deps = {
      client: ctx.client,
      recorder: ctx.recorder,
      now: () => ctx.clock.now(),
      defaultTimeZone: options.defaultTimeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone,
    };
    this.#cronJobs.addHandlers({
      onAdd: (cj) => this.#queue.add(keyOf(cj)),
      onUpdate: (_old, cj) => this.#queue.add(keyOf(cj)),
      onDelete: (cj) => this.#delayed.cancel(keyOf(cj)),
    });
    const onJob = (job: JobObj) => {
      const key = cronJobKeyOfJob(job);
      if (key) this.#queue.add(key);
    };
    this.#jobs.addHandlers({
      onAdd: onJob,
      onUpdate: (old, job) => {
        const oldKey = cronJobKeyOfJob(old);
        if (oldKey && oldKey !== cronJobKeyOfJob(job)) this.#queue.add(oldKey);
        onJob(job);
      },
      onDelete: onJob,
    });
  }

  #jobsOf(cj: CronJobObj): JobObj[] {
    const uid = cj.metadata?.uid;
    return this.#jobs
      .list(cj.metadata?.namespace ?? "")
      .filter((j) =>
        (j.metadata?.ownerReferences ?? []).some((r) => r.controller && r.uid === uid),
      );
  }

  /** `cleanupFinishedJobs`: deletes the oldest finished Jobs beyond each history limit. */
  async #cleanupFinishedJobs(cj: CronJobObj, jobs: readonly JobObj[]): Promise<boolean> {
    const spec = cj.spec;
    let updateStatus = false;
    const limits = [
      ["Complete", spec?.successfulJobsHistoryLimit],
      ["Failed", spec?.failedJobsHistoryLimit],
    ] as const;
    for (const [status, limit] of limits) {
      if (limit == null) continue;
      const finished = jobs.filter((j) => finishedStatusOf(j) === status).sort(byJobStartTime);
      for (const job of finished.slice(0, Math.max(0, finished.length - limit))) {
        if (await deleteJob(this.#deps, cj, job)) updateStatus = true;
      }
    }
    return updateStatus;
  }

  async #sync(key: string): Promise<void> {
    const cached = this.#cronJobs.getByKey(key);
    if (!cached) {
      this.#delayed.cancel(key);
      return;
    }
    const cj: CronJobObj = { ...structuredClone(cached), apiVersion: "batch/v1", kind: "CronJob" };
    const jobs = this.#jobsOf(cj);
    const cleaned = await this.#cleanupFinishedJobs(cj, jobs);
    const result = await syncCronJob(this.#deps, cj, jobs);
    if (cleaned || result.updateStatus) {
      const meta = cj.metadata ?? {};
      await this.#ctx.client.update(
        resourcePath(resources.cronjobs, meta.namespace, meta.name, "status"),
        cj,
      );
    }
    if (result.error) throw result.error;
    if (result.requeueAfter !== undefined) this.#delayed.setAfter(key, result.requeueAfter);
  }

  async run(signal: AbortSignal): Promise<void> {
    await Promise.all([this.#cronJobs.synced(), this.#jobs.synced()]);
    onAbort(signal, () => this.#delayed.cancelAll());
    await runWorkers({
      queue: this.#queue,
      workers: this.#workers,
      sync: (key) => this.#sync(key),
      log: this.#ctx.log,
      signal,
    });
  }
}

/** A factory with options (tests pin the default time zone). */
export function newCronJobControllerFactory(
  options: CronJobControllerOptions = {},
): ControllerFactory {
  return { name: "cronjob-controller", create: (ctx) => new CronJobController(ctx, options) };
}

export const cronJobControllerFactory: ControllerFactory = newCronJobControllerFactory();
