/**
 * Counting finished pods without losing or repeating one (upstream
 * `trackJobStatusAndRemoveFinalizers`): a finished pod keeps the tracking finalizer until its
 * uid is recorded in `status.uncountedTerminatedPods`; then the finalizer is removed; then the
 * uid moves into the succeeded/failed counters. A crash between steps repeats a step, never
 * skips one. Interim conditions are written before the finalizers go; the terminal condition
 * only once nothing is uncounted or terminating.
 */
import type { JobStatus } from "../../api/generated/types.ts";
import { formatIntervals, hasIndex, withOrderedIndexes } from "./indexed.ts";
import { removeTrackingFinalizer, updateJobStatus } from "./job-api.ts";
import { ensureConditionStatus, newCondition, successCriteriaMetOf } from "./job-conditions.ts";
import { completionIndexOf, hasTrackingFinalizer, isPodFailed, type PodObj } from "./job-pods.ts";
import { countsAsFailure } from "./pod-failure-policy.ts";
import {
  isIndexedJob,
  type JobDeps,
  maxUncountedPods,
  type SyncJobCtx,
  uidOf,
} from "./sync-context.ts";

/** Moves uids whose pods lost the finalizer from the uncounted lists into the counters. */
export function cleanUncountedPodsWithoutFinalizers(
  status: JobStatus,
  withFinalizer: ReadonlySet<string>,
): boolean {
  status.uncountedTerminatedPods ??= {};
  const uncounted = status.uncountedTerminatedPods;
  let updated = false;
  for (const kind of ["succeeded", "failed"] as const) {
    const list = uncounted[kind] ?? [];
    const kept = list.filter((uid) => withFinalizer.has(uid));
    if (kept.length !== list.length) {
      updated = true;
      status[kind] = (status[kind] ?? 0) + list.length - kept.length;
    }
    if (kept.length > 0) uncounted[kind] = kept;
    else delete uncounted[kind];
  }
  return updated;
}

/** `canRemoveFinalizer`: the Job is ending, or the pod is done (backoffLimitPerIndex aside). */
function canRemoveFinalizer(ctx: SyncJobCtx, pod: PodObj, consideredFailed: boolean): boolean {
  if (ctx.job.metadata?.deletionTimestamp || ctx.finishedCondition) return true;
  return pod.status?.phase === "Succeeded" || consideredFailed;
}

interface Scan {
  podsToRemoveFinalizer: PodObj[];
  newSucceededIndexes: number[];
  needsFlush: boolean;
  reachedMax: boolean;
}

/** Records finished pods still holding the finalizer as uncounted. */
function scanFinishedPods(ctx: SyncJobCtx): Scan {
  const job = ctx.job;
  const indexed = isIndexedJob(job);
  const completions = job.spec?.completions ?? 0;
  job.status!.uncountedTerminatedPods ??= {};
  const uncounted = job.status!.uncountedTerminatedPods;
  const scan: Scan = {
    podsToRemoveFinalizer: [],
    newSucceededIndexes: [],
    needsFlush: false,
    reachedMax: false,
  };
  const pods = indexed
    ? [...ctx.pods].sort((a, b) => (completionIndexOf(a) ?? -1) - (completionIndexOf(b) ?? -1))
    : ctx.pods;
  const endingBadly = ctx.finishedCondition && ctx.finishedCondition.type !== "SuccessCriteriaMet";
  for (const pod of pods) {
    const uid = uidOf(pod);
    if (!hasTrackingFinalizer(pod) || ctx.expectedRmFinalizers.has(uid)) continue;
    const consideredFailed = isPodFailed(pod, job);
    if (!canRemoveFinalizer(ctx, pod, consideredFailed)) continue;
    scan.podsToRemoveFinalizer.push(pod);
    const ix = completionIndexOf(pod);
    if (pod.status?.phase === "Succeeded" && !ctx.uncounted.failed.has(uid)) {
      if (indexed) {
        if (ix !== undefined && ix < completions && !hasIndex(ctx.prevSucceededIndexes, ix)) {
          scan.newSucceededIndexes.push(ix);
          scan.needsFlush = true;
        }
      } else if (!ctx.uncounted.succeeded.has(uid)) {
        uncounted.succeeded = [...(uncounted.succeeded ?? []), uid];
        scan.needsFlush = true;
      }
    } else if (consideredFailed || endingBadly) {
      const validIndex = !indexed || (ix !== undefined && ix < completions);
      if (!ctx.uncounted.failed.has(uid) && validIndex && countsAsFailure(job, pod)) {
        uncounted.failed = [...(uncounted.failed ?? []), uid];
        scan.needsFlush = true;
      }
    }
    const pending =
      scan.newSucceededIndexes.length +
      (uncounted.succeeded?.length ?? 0) +
      (uncounted.failed?.length ?? 0);
    if (pending >= maxUncountedPods) {
      // The rest waits for the next sync, keeping status small and other Jobs moving.
      scan.reachedMax = true;
      break;
    }
  }
  return scan;
}

export async function trackJobStatusAndRemoveFinalizers(
  deps: JobDeps,
  ctx: SyncJobCtx,
  needsStatusUpdate: boolean,
): Promise<void> {
  const job = ctx.job;
  job.status ??= {};
  const status = job.status;
  const withFinalizer = new Set(
    ctx.pods
      .filter((p) => hasTrackingFinalizer(p) && !ctx.expectedRmFinalizers.has(uidOf(p)))
      .map(uidOf),
  );
  let needsFlush = cleanUncountedPodsWithoutFinalizers(status, withFinalizer) || needsStatusUpdate;
  const scan = scanFinishedPods(ctx);
  needsFlush ||= scan.needsFlush;
  if (isIndexedJob(job)) {
    ctx.succeededIndexes = withOrderedIndexes(ctx.succeededIndexes, scan.newSucceededIndexes);
    const text = formatIntervals(ctx.succeededIndexes);
    if (text !== (status.completedIndexes ?? "")) needsFlush = true;
    status.succeeded = ctx.succeededIndexes.reduce((n, [a, b]) => n + b - a + 1, 0);
    if (text) status.completedIndexes = text;
    else delete status.completedIndexes;
  }
  needsFlush = promoteInterimCondition(deps, ctx) || needsFlush;
  needsFlush = await flushUncountedAndRemoveFinalizers(
    deps,
    ctx,
    scan.podsToRemoveFinalizer,
    withFinalizer,
    needsFlush,
  );
  const finished = !scan.reachedMax && enactJobFinished(deps, ctx);
  if (finished || needsFlush) {
    ctx.job = await updateJobStatus(deps.client, tidyStatus(ctx.job));
    if (finished) recordJobFinished(deps, ctx);
  }
}

/** Writes a new FailureTarget / SuccessCriteriaMet, and aims at the terminal condition. */
function promoteInterimCondition(deps: JobDeps, ctx: SyncJobCtx): boolean {
  const c = ctx.finishedCondition;
  const status = ctx.job.status!;
  const now = deps.clock.now();
  if (c?.type === "FailureTarget") {
    status.conditions = [...(status.conditions ?? []), c];
    ctx.finishedCondition = newCondition("Failed", "True", c.reason ?? "", c.message ?? "", now);
    return true;
  }
  if (c?.type === "SuccessCriteriaMet") {
    let changed = false;
    if (!successCriteriaMetOf(ctx.job)) {
      status.conditions = [...(status.conditions ?? []), c];
      changed = true;
    }
    ctx.finishedCondition = newCondition("Complete", "True", c.reason ?? "", c.message ?? "", now);
    return changed;
  }
  return false;
}

async function flushUncountedAndRemoveFinalizers(
  deps: JobDeps,
  ctx: SyncJobCtx,
  pods: readonly PodObj[],
  withFinalizer: Set<string>,
  needsFlush: boolean,
): Promise<boolean> {
  if (needsFlush) {
    ctx.job = await updateJobStatus(deps.client, tidyStatus(ctx.job));
    deps.backoff.update(ctx.newBackoffRecord);
    needsFlush = false;
  }
  let rmError: unknown;
  if (pods.length > 0) {
    deps.finalizerExpectations.expect(ctx.key, pods.map(uidOf));
    const results = await Promise.allSettled(
      pods.map((p) => removeTrackingFinalizer(deps.client, p)),
    );
    results.forEach((r, i) => {
      const uid = uidOf(pods[i]!);
      if (r.status === "fulfilled") withFinalizer.delete(uid);
      else {
        deps.finalizerExpectations.observed(ctx.key, uid);
        rmError ??= r.reason;
      }
    });
  }
  if (cleanUncountedPodsWithoutFinalizers(ctx.job.status!, withFinalizer)) needsFlush = true;
  if (rmError) {
    if (needsFlush) ctx.job = await updateJobStatus(deps.client, tidyStatus(ctx.job));
    throw new Error("removing tracking finalizers", { cause: rmError });
  }
  return needsFlush;
}

/** Adds the terminal condition once every pod is counted and none is terminating. */
function enactJobFinished(deps: JobDeps, ctx: SyncJobCtx): boolean {
  const c = ctx.finishedCondition;
  if (!c) return false;
  const uncounted = ctx.job.status?.uncountedTerminatedPods ?? {};
  if ((uncounted.succeeded?.length ?? 0) + (uncounted.failed?.length ?? 0) > 0) return false;
  if (ctx.terminating > 0) return false;
  const type = c.type as "Complete" | "Failed";
  ensureConditionStatus(
    ctx.job,
    { type, status: "True", reason: c.reason ?? "", message: c.message ?? "" },
    deps.clock.now(),
  );
  if (type === "Complete") ctx.job.status!.completionTime = c.lastTransitionTime!;
  return true;
}

function recordJobFinished(deps: JobDeps, ctx: SyncJobCtx): void {
  const job = ctx.job;
  const c = ctx.finishedCondition!;
  if (c.type === "Complete") {
    const completions = job.spec?.completions;
    if (completions != null && (job.status?.succeeded ?? 0) > completions) {
      deps.recorder.event(
        job,
        "Warning",
        "TooManySucceededPods",
        "Too many succeeded pods running after completion count reached",
      );
    }
    deps.recorder.event(job, "Normal", "Completed", "Job completed");
  } else {
    deps.recorder.event(job, "Warning", c.reason ?? "", c.message ?? "");
  }
}

/** Drops zero counters that upstream omits (`omitempty`). */
export function tidyStatus<T extends { status?: JobStatus }>(job: T): T {
  const status = job.status;
  if (!status) return job;
  for (const k of ["active", "succeeded", "failed"] as const) if (!status[k]) delete status[k];
  return job;
}
