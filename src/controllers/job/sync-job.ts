/**
 * `syncJob`, level-triggered: from the cached Job and its pods, decide whether the Job has failed
 * (back-off limit, active deadline) or succeeded, otherwise manage its pods; then count finished
 * pods and write status (`track-status.ts`).
 */

import { calculateSucceededIndexes, totalOf } from "./indexed.ts";
import { withJobTypeMeta } from "./job-api.ts";
import {
  ensureConditionStatus,
  findCondition,
  isJobFinished,
  jobMessages,
  jobReasons,
  newCondition,
  successCriteriaMetOf,
} from "./job-conditions.ts";
import {
  completionIndexOf,
  hasTrackingFinalizer,
  isActive,
  isPodFailed,
  isReady,
  isTerminating,
  type JobObj,
  type PodObj,
  restartCountOf,
  rfc3339,
} from "./job-pods.ts";
import { deletePods, manageJob } from "./manage-job.ts";
import { countsAsFailure, failJobMessage } from "./pod-failure-policy.ts";
import { matchSuccessPolicy } from "./success-policy.ts";
import { isIndexedJob, type JobDeps, type SyncJobCtx, uidOf } from "./sync-context.ts";
import { trackJobStatusAndRemoveFinalizers } from "./track-status.ts";

export const jobControllerName = "kubernetes.io/job-controller";

/** `getNewFinishedPods`: finished pods not yet in the counters nor in the uncounted lists. */
function newFinishedPods(ctx: Omit<SyncJobCtx, "newBackoffRecord">, job: JobObj) {
  const valid = (p: PodObj, uncounted: ReadonlySet<string>) => {
    const uid = uidOf(p);
    if (!hasTrackingFinalizer(p) || uncounted.has(uid) || ctx.expectedRmFinalizers.has(uid))
      return false;
    if (!isIndexedJob(job)) return true;
    const ix = completionIndexOf(p);
    return ix !== undefined && ix < (job.spec?.completions ?? 0);
  };
  return {
    succeeded: ctx.pods.filter(
      (p) => valid(p, ctx.uncounted.succeeded) && p.status?.phase === "Succeeded",
    ),
    failed: ctx.pods.filter((p) => valid(p, ctx.uncounted.failed) && isPodFailed(p, job)),
  };
}

function newSyncJobCtx(deps: JobDeps, key: string, job: JobObj): SyncJobCtx {
  const pods = deps.podsOf(job);
  const activePods = pods.filter(isActive);
  const uncountedStatus = job.status?.uncountedTerminatedPods ?? {};
  const base = {
    key,
    job,
    pods,
    activePods,
    ready: activePods.filter(isReady).length,
    terminating: pods.filter(isTerminating).length,
    succeeded: 0,
    failed: 0,
    uncounted: {
      succeeded: new Set(uncountedStatus.succeeded ?? []),
      failed: new Set(uncountedStatus.failed ?? []),
    },
    expectedRmFinalizers: new Set(deps.finalizerExpectations.expected(key)),
    finishedCondition: undefined,
    prevSucceededIndexes: [],
    succeededIndexes: [],
  };
  const fresh = newFinishedPods(base, job);
  const status = job.status ?? {};
  base.succeeded = (status.succeeded ?? 0) + fresh.succeeded.length + base.uncounted.succeeded.size;
  const counted = fresh.failed.filter((p) => countsAsFailure(job, p)).length;
  base.failed = (status.failed ?? 0) + counted + base.uncounted.failed.size;
  return {
    ...base,
    newBackoffRecord: deps.backoff.newBackoffRecord(key, fresh.succeeded, fresh.failed),
  };
}

/** `pastBackoffLimitOnFailure`: container restarts count when pods restart in place. */
function pastBackoffLimitOnFailure(job: JobObj, pods: readonly PodObj[]): boolean {
  if (job.spec?.template.spec?.restartPolicy !== "OnFailure") return false;
  const restarts = pods.reduce((n, p) => n + restartCountOf(p), 0);
  const limit = job.spec.backoffLimit ?? 6;
  return limit === 0 ? restarts > 0 : restarts >= limit;
}

/** Decides whether the Job fails now, else schedules a sync at its active deadline. */
function evaluateFailure(deps: JobDeps, ctx: SyncJobCtx): void {
  const job = ctx.job;
  const now = deps.clock.now();
  ctx.finishedCondition = successCriteriaMetOf(job);
  if (ctx.finishedCondition) return;
  const target = findCondition(job.status?.conditions, "FailureTarget");
  if (target?.status === "True") {
    ctx.finishedCondition = newCondition(
      "Failed",
      "True",
      target.reason ?? "",
      target.message ?? "",
      now,
    );
    return;
  }
  const failure = (reason: string, message: string) =>
    newCondition("FailureTarget", "True", reason, message, now);
  const policyMessage = failJobMessage(job, ctx.pods);
  if (policyMessage) {
    ctx.finishedCondition = failure(jobReasons.podFailurePolicy, policyMessage);
    return;
  }
  const deadline = job.spec?.activeDeadlineSeconds;
  const startTime = job.status?.startTime ? Date.parse(job.status.startTime) : undefined;
  if (ctx.failed > (job.spec?.backoffLimit ?? 6) || pastBackoffLimitOnFailure(job, ctx.pods)) {
    ctx.finishedCondition = failure(
      jobReasons.backoffLimitExceeded,
      jobMessages.backoffLimitExceeded,
    );
  } else if (deadline != null && startTime !== undefined && !job.spec?.suspend) {
    const left = deadline * 1000 - (now - startTime);
    if (left <= 0)
      ctx.finishedCondition = failure(jobReasons.deadlineExceeded, jobMessages.deadlineExceeded);
    else deps.enqueueAfter(ctx.key, left);
  }
}

/** Suspended / resumed bookkeeping after `manageJob`; resuming restarts the deadline clock. */
function updateSuspendCondition(deps: JobDeps, job: JobObj): boolean {
  const now = deps.clock.now();
  if (job.spec?.suspend) {
    const c = {
      type: "Suspended",
      status: "True",
      reason: "JobSuspended",
      message: "Job suspended",
    } as const;
    if (!ensureConditionStatus(job, c, now)) return false;
    deps.recorder.event(job, "Normal", "Suspended", "Job suspended");
    return true;
  }
  const c = {
    type: "Suspended",
    status: "False",
    reason: "JobResumed",
    message: "Job resumed",
  } as const;
  if (!ensureConditionStatus(job, c, now)) return false;
  deps.recorder.event(job, "Normal", "Resumed", "Job resumed");
  job.status!.startTime = rfc3339(now);
  return true;
}

function isComplete(ctx: SyncJobCtx, active: number): boolean {
  const completions = ctx.job.spec?.completions;
  if (completions == null) return ctx.succeeded > 0 && active === 0;
  return ctx.succeeded >= completions && active === 0;
}

/**
 * A Job heading to failure loses its active pods (they count as failed); otherwise `manageJob`
 * runs, unless the cache may still lack our own creations or deletions, and success is checked.
 */
async function reconcilePods(deps: JobDeps, ctx: SyncJobCtx, satisfied: boolean) {
  let active = ctx.activePods.length;
  let manageError: unknown;
  let suspendChanged = false;
  if (ctx.finishedCondition) {
    const deleted = await deletePods(deps, ctx, ctx.activePods, false);
    // Not finished while pods may remain that the cache has not shown yet.
    if (deleted.removed !== active || !satisfied) ctx.finishedCondition = undefined;
    active -= deleted.removed;
    ctx.terminating += deleted.removed;
    ctx.ready -= deleted.removedReady;
    return { active, manageError: deleted.error, suspendChanged };
  }
  const manage = satisfied && !ctx.job.metadata?.deletionTimestamp;
  if (manage) ({ active, error: manageError } = await manageJob(deps, ctx));
  if (isComplete(ctx, active)) {
    const { completionsReached: reason } = jobReasons;
    const message = jobMessages.completionsReached;
    const now = deps.clock.now();
    ctx.finishedCondition = newCondition("SuccessCriteriaMet", "True", reason, message, now);
  } else if (manage) suspendChanged = updateSuspendCondition(deps, ctx.job);
  return { active, manageError, suspendChanged };
}

export async function syncJob(deps: JobDeps, key: string): Promise<void> {
  const cached = deps.getJob(key);
  if (!cached) {
    deps.expectations.delete(key);
    deps.finalizerExpectations.delete(key);
    deps.backoff.remove(key);
    return;
  }
  const managedBy = cached.spec?.managedBy;
  if (managedBy && managedBy !== jobControllerName) return;
  if (isJobFinished(cached)) {
    deps.backoff.remove(key);
    return;
  }
  const job = withJobTypeMeta(cached);
  job.status ??= {};
  const status = job.status;
  status.uncountedTerminatedPods ??= {};
  const satisfied = deps.expectations.satisfied(key);
  const ctx = newSyncJobCtx(deps, key, job);
  let startTimeSet = false;
  if (!status.startTime && !job.spec?.suspend) {
    status.startTime = rfc3339(deps.clock.now());
    startTimeSet = true;
  }
  evaluateFailure(deps, ctx);
  if (isIndexedJob(job)) {
    const { prev, all } = calculateSucceededIndexes(job, ctx.pods);
    ctx.prevSucceededIndexes = prev;
    ctx.succeededIndexes = all;
    ctx.succeeded = totalOf(all);
    const met = ctx.finishedCondition
      ? undefined
      : matchSuccessPolicy(job.spec?.successPolicy, job.spec?.completions ?? 0, all);
    if (met) {
      const { successPolicy: reason } = jobReasons;
      ctx.finishedCondition = newCondition(
        "SuccessCriteriaMet",
        "True",
        reason,
        met,
        deps.clock.now(),
      );
    }
  }
  const { active, manageError, suspendChanged } = await reconcilePods(deps, ctx, satisfied);
  const needsStatusUpdate =
    startTimeSet ||
    suspendChanged ||
    active !== (status.active ?? 0) ||
    ctx.ready !== status.ready ||
    ctx.terminating !== status.terminating;
  status.active = active;
  status.ready = ctx.ready;
  status.terminating = ctx.terminating;
  await trackJobStatusAndRemoveFinalizers(deps, ctx, needsStatusUpdate);
  if (manageError) throw new Error("managing pods", { cause: manageError });
}
