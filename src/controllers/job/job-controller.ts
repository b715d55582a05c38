/**
 * The Job controller (upstream `pkg/controller/job`): watches Jobs and pods, turns pod events
 * into Job keys, and runs `syncJob` per key. A second queue removes the tracking finalizer from
 * pods whose Job is gone or finished (upstream `syncOrphanPod`), so deleting a Job never leaves
 * pods stuck behind the finalizer.
 */
import { runWorkers } from "../../client/controller.ts";
import type { Informer } from "../../client/informer.ts";
import { keyOf, splitKey } from "../../client/informer.ts";
import { resources } from "../../client/resources.ts";
import { WorkQueue } from "../../client/work-queue.ts";
import { onAbort } from "../../machinery/abort.ts";
import { addControllerIndexes, controlledBy } from "../common/controller-indexes.ts";
import type { Controller, ControllerContext, ControllerFactory } from "../context.ts";
import { BackoffStore } from "./backoff.ts";
import { DelayedEnqueuer } from "./delayed-enqueuer.ts";
import { ControllerExpectations, UidExpectations } from "./expectations.ts";
import { removeTrackingFinalizer } from "./job-api.ts";
import { isJobFinished } from "./job-conditions.ts";
import {
  controllerRefOf,
  hasTrackingFinalizer,
  type JobObj,
  jobKeyOfPod,
  type PodObj,
} from "./job-pods.ts";
import type { JobDeps } from "./sync-context.ts";
import { jobControllerName, syncJob } from "./sync-job.ts";

export class JobController implements Controller {
  readonly name = "job-controller";
  readonly #ctx: ControllerContext;
  readonly #jobs: Informer<JobObj>;
  readonly #pods: Informer<PodObj>;
  readonly #queue: WorkQueue<string>;
  readonly #orphanQueue: WorkQueue<string>;
  readonly #delayed: DelayedEnqueuer;
  readonly #deps: JobDeps;
  readonly #workers: number;

  constructor(ctx: ControllerContext, options: { workers?: number } = {}) {
    this.#ctx = ctx;
    this.#workers = options.workers ?? 5;
    this.#jobs = ctx.informers.informer<JobObj>(resources.jobs);
    this.#pods = ctx.informers.informer<PodObj>(resources.pods);
    addControllerIndexes(this.#pods);
    this.#queue = new WorkQueue<string>({ maxDelayMs: 60_000 });
    this.#orphanQueue = new WorkQueue<string>({ maxDelayMs: 60_000 });
    this.#delayed = new DelayedEnqueuer(ctx.clock, this.#queue);
    this.#deps = {
      client: ctx.client,
      clock: ctx.clock,
      recorder: ctx.recorder,
      log: ctx.log,
      expectations: new ControllerExpectations(ctx.clock),
      finalizerExpectations: new UidExpectations(),
      backoff: new BackoffStore(),
      getJob: (key) => this.#jobs.getByKey(key),
      podsOf: (job) => this.#podsOf(job),
      enqueueAfter: (key, ms) => this.#delayed.addAfter(key, ms),
    };
    this.#jobs.addHandlers({
      onAdd: (job) => this.#queue.add(keyOf(job)),
      onUpdate: (_old, job) => this.#queue.add(keyOf(job)),
      onDelete: (job) => this.#onJobDeleted(job),
    });
    this.#pods.addHandlers({
      onAdd: (pod) => this.#onPodAdded(pod),
      onUpdate: (old, pod) => this.#onPodUpdated(old, pod),
      onDelete: (pod) => this.#onPodDeleted(pod, true),
    });
  }

  #podsOf(job: JobObj): PodObj[] {
    return controlledBy(this.#pods, job);
  }

  /** The key of the live, unfinished Job controlling `pod`; undefined otherwise. */
  #owningJob(pod: PodObj): { key: string; job: JobObj } | undefined {
    const key = jobKeyOfPod(pod);
    if (!key) return undefined;
    const job = this.#jobs.getByKey(key);
    if (!job || job.metadata?.uid !== controllerRefOf(pod)?.uid) return undefined;
    return { key, job };
  }

  #onPodAdded(pod: PodObj): void {
    if (pod.metadata?.deletionTimestamp) {
      this.#onPodDeleted(pod, false);
      return;
    }
    const owner = this.#owningJob(pod);
    if (!owner || isJobFinished(owner.job)) {
      if (hasTrackingFinalizer(pod)) this.#orphanQueue.add(keyOf(pod));
      return;
    }
    this.#deps.expectations.creationObserved(owner.key);
    this.#queue.add(owner.key);
  }

  #onPodUpdated(old: PodObj, pod: PodObj): void {
    const oldKey = jobKeyOfPod(old);
    if (oldKey && controllerRefOf(old)?.uid !== controllerRefOf(pod)?.uid) this.#queue.add(oldKey);
    if (pod.metadata?.deletionTimestamp) {
      if (!old.metadata?.deletionTimestamp) this.#onPodDeleted(pod, false);
      else this.#podChanged(pod, false);
      return;
    }
    this.#podChanged(pod, false);
  }

  #onPodDeleted(pod: PodObj, final: boolean): void {
    this.#podChanged(pod, final, !(final && pod.metadata?.deletionTimestamp));
  }

  #podChanged(pod: PodObj, final: boolean, deletion = false): void {
    const owner = this.#owningJob(pod);
    if (!owner || isJobFinished(owner.job)) {
      if (hasTrackingFinalizer(pod) && !final) this.#orphanQueue.add(keyOf(pod));
      return;
    }
    if (deletion) this.#deps.expectations.deletionObserved(owner.key);
    if (final || !hasTrackingFinalizer(pod)) {
      this.#deps.finalizerExpectations.observed(owner.key, pod.metadata?.uid ?? "");
    }
    this.#queue.add(owner.key);
  }

  #onJobDeleted(job: JobObj): void {
    const key = keyOf(job);
    this.#delayed.cancel(key);
    this.#queue.add(key);
    for (const pod of this.#podsOf(job)) {
      if (hasTrackingFinalizer(pod)) this.#orphanQueue.add(keyOf(pod));
    }
  }

  /** `syncOrphanPod`: drops the finalizer unless a live, unfinished Job still owns the pod. */
  async #syncOrphanPod(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const pod = this.#pods.get(namespace, name);
    if (!pod) return;
    const ref = controllerRefOf(pod);
    if (ref) {
      if (ref.kind !== "Job" || ref.apiVersion !== "batch/v1") return;
      const job = this.#jobs.get(namespace, ref.name);
      if (job && job.metadata?.uid === ref.uid) {
        const managedBy = job.spec?.managedBy;
        if (managedBy && managedBy !== jobControllerName) return;
        if (!isJobFinished(job)) return;
      }
    }
    await removeTrackingFinalizer(this.#ctx.client, pod);
  }

  async run(signal: AbortSignal): Promise<void> {
    await Promise.all([this.#jobs.synced(), this.#pods.synced()]);
    onAbort(signal, () => this.#delayed.cancelAll());
    const log = this.#ctx.log;
    await Promise.all([
      runWorkers({
        queue: this.#queue,
        workers: this.#workers,
        sync: (key) => syncJob(this.#deps, key),
        log,
        signal,
      }),
      runWorkers({
        queue: this.#orphanQueue,
        workers: 1,
        sync: (key) => this.#syncOrphanPod(key),
        log,
        signal,
      }),
    ]);
  }
}

export const jobControllerFactory: ControllerFactory = {
  name: "job-controller",
  create: (ctx) => new JobController(ctx),
};
