/**
 * What one `syncJob` works with (upstream `syncJobCtx`) and what it needs from the controller:
 * the caches, the API, the clock, expectations and the back-off store.
 */
import type { JobCondition } from "../../api/generated/types.ts";
import type { EventRecorder } from "../../client/event-recorder.ts";
import type { RestClient } from "../../client/rest-client.ts";
import type { Clock } from "../../machinery/clock.ts";
import type { Logger } from "../../machinery/log.ts";
import type { BackoffRecord, BackoffStore } from "./backoff.ts";
import type { ControllerExpectations, UidExpectations } from "./expectations.ts";
import type { Intervals } from "./indexed.ts";
import type { JobObj, PodObj } from "./job-pods.ts";

export interface JobDeps {
  readonly client: RestClient;
  readonly clock: Clock;
  readonly recorder: EventRecorder;
  readonly log: Logger;
  readonly expectations: ControllerExpectations;
  readonly finalizerExpectations: UidExpectations;
  readonly backoff: BackoffStore;
  /** The cached Job of `namespace/name`. */
  getJob(key: string): JobObj | undefined;
  /** The cached pods the Job controls. */
  podsOf(job: JobObj): PodObj[];
  enqueueAfter(key: string, ms: number): void;
}

export interface SyncJobCtx {
  readonly key: string;
  /** The Job being synced: a private copy, replaced by each status write's answer. */
  job: JobObj;
  readonly pods: readonly PodObj[];
  readonly activePods: readonly PodObj[];
  ready: number;
  terminating: number;
  succeeded: number;
  failed: number;
  readonly uncounted: {
    readonly succeeded: ReadonlySet<string>;
    readonly failed: ReadonlySet<string>;
  };
  readonly expectedRmFinalizers: ReadonlySet<string>;
  /** The condition the Job is heading to (interim first, then the terminal one). */
  finishedCondition: JobCondition | undefined;
  readonly newBackoffRecord: BackoffRecord;
  prevSucceededIndexes: Intervals;
  succeededIndexes: Intervals;
}

export const maxPodCreateDeletePerSync = 500;
export const maxUncountedPods = 500;

export function isIndexedJob(job: JobObj): boolean {
  return job.spec?.completionMode === "Indexed";
}

export function uidOf(obj: { metadata?: { uid?: string } }): string {
  return obj.metadata?.uid ?? "";
}
