/**
 * The TTL-after-finished controller (upstream `pkg/controller/ttlafterfinished`): a finished Job
 * (Complete or Failed) with `spec.ttlSecondsAfterFinished` is deleted that many seconds after it
 * finished, with Background propagation so the garbage collector removes its pods. Before
 * deleting, the Job is read again from the API and deleted only at that resourceVersion, so a
 * TTL changed at the last moment is honoured. Timers run on the injected clock.
 */
import type { Job } from "../../api/generated/types.ts";
import type { KubeObject } from "../../api/object.ts";
import { runWorkers } from "../../client/controller.ts";
import { type Informer, keyOf, splitKey } from "../../client/informer.ts";
import { resourcePath, resources } from "../../client/resources.ts";
import { WorkQueue } from "../../client/work-queue.ts";
import { onAbort } from "../../machinery/abort.ts";
import { isStatusError } from "../../machinery/status.ts";
import type { Controller, ControllerContext, ControllerFactory } from "../context.ts";
import { DelayedEnqueuer } from "../job/delayed-enqueuer.ts";

type JobObj = Job & KubeObject;

/** When the Job finished: the transition time of its True Complete or Failed condition. */
export function jobFinishTime(job: JobObj): number | undefined {
  const c = (job.status?.conditions ?? []).find(
    (x) => (x.type === "Complete" || x.type === "Failed") && x.status === "True",
  );
  return c?.lastTransitionTime ? Date.parse(c.lastTransitionTime) : undefined;
}

function isFinished(job: JobObj): boolean {
  return (job.status?.conditions ?? []).some(
    (x) => (x.type === "Complete" || x.type === "Failed") && x.status === "True",
  );
}

/** `needsCleanup`: a finished Job with a TTL. */
export function needsCleanup(job: JobObj): boolean {
  return job.spec?.ttlSecondsAfterFinished != null && isFinished(job);
}

export class TTLAfterFinishedController implements Controller {
  readonly name = "ttl-after-finished-controller";
  readonly #ctx: ControllerContext;
  readonly #jobs: Informer<JobObj>;
  readonly #queue = new WorkQueue<string>({ maxDelayMs: 60_000 });
  readonly #delayed: DelayedEnqueuer;

  constructor(ctx: ControllerContext) {
    this.#ctx = ctx;
    this.#delayed = new DelayedEnqueuer(ctx.clock, this.#queue);
    this.#jobs = ctx.informers.informer<JobObj>(resources.jobs);
    const enqueue = (job: JobObj) => {
      if (!job.metadata?.deletionTimestamp && needsCleanup(job)) this.#queue.add(keyOf(job));
    };
    this.#jobs.addHandlers({
      onAdd: enqueue,
      onUpdate: (_old, job) => enqueue(job),
      onDelete: (job) => this.#delayed.cancel(keyOf(job)),
    });
  }

  /**
   * `processTTL`: true when the TTL has run out; otherwise schedules a look at expiry time.
   * A finish time in the future (clock skew) just defers the cleanup.
   */
  #expired(job: JobObj, key: string): boolean {
    if (job.metadata?.deletionTimestamp || !needsCleanup(job)) return false;
    const finishedAt = jobFinishTime(job);
    if (finishedAt === undefined) {
      throw new Error(`unable to find the time when the Job ${key} finished`);
    }
    const left =
      finishedAt + (job.spec?.ttlSecondsAfterFinished ?? 0) * 1000 - this.#ctx.clock.now();
    if (left <= 0) return true;
    this.#delayed.addAfter(key, left);
    return false;
  }

  async #processJob(key: string): Promise<void> {
    const cached = this.#jobs.getByKey(key);
    if (!cached || !this.#expired(cached, key)) return;
    const { namespace, name } = splitKey(key);
    const path = resourcePath(resources.jobs, namespace, name);
    let fresh: JobObj;
    try {
      fresh = await this.#ctx.client.get<JobObj>(path);
    } catch (err) {
      if (isStatusError(err, "NotFound")) return;
      throw err;
    }
    if (!this.#expired(fresh, key)) return;
    this.#ctx.log.info("cleaning up finished Job", { job: key });
    try {
      await this.#ctx.client.delete(path, {
        propagationPolicy: "Background",
        preconditions: {
          uid: fresh.metadata?.uid,
          resourceVersion: fresh.metadata?.resourceVersion,
        },
      });
    } catch (err) {
      if (!isStatusError(err, "NotFound")) throw err;
    }
  }

  async run(signal: AbortSignal): Promise<void> {
    await this.#jobs.synced();
    onAbort(signal, () => this.#delayed.cancelAll());
    await runWorkers({
      queue: this.#queue,
      workers: 5,
      sync: (key) => this.#processJob(key),
      log: this.#ctx.log,
      signal,
    });
  }
}

export const ttlAfterFinishedControllerFactory: ControllerFactory = {
  name: "ttl-after-finished-controller",
  create: (ctx) => new TTLAfterFinishedController(ctx),
};
