/**
 * `manageJob`: brings the number of active pods to what the spec wants — none while suspended,
 * otherwise min(parallelism, completions left) — creating pods in slow-start batches after the
 * failure back-off, or deleting the least valuable ones. Returns the new active count.
 */
import { isNamespaceTerminating } from "../common/pod-control.ts";
import { slowStartBatch, slowStartInitialBatchSize } from "../common/slow-start.ts";
import { remainingBackoff } from "./backoff.ts";
import {
  applyCompletionIndex,
  extraIndexedPods,
  firstPendingIndexes,
  generateNameWithIndex,
} from "./indexed.ts";
import { createJobPod, deleteJobPod, removeTrackingFinalizer } from "./job-api.ts";
import {
  completionIndexOf,
  isReady,
  isTerminating,
  onlyReplaceFailedPods,
  type PodObj,
  sortForDeletion,
} from "./job-pods.ts";
import {
  isIndexedJob,
  type JobDeps,
  maxPodCreateDeletePerSync,
  type SyncJobCtx,
} from "./sync-context.ts";

export interface DeleteResult {
  readonly removed: number;
  readonly removedReady: number;
  readonly error: unknown;
}

/**
 * Deletes pods in parallel. `expected` (upstream `deleteJobPods`) first removes the tracking
 * finalizer, so the pods are not counted, and settles the deletion expectations of pods the
 * informer will never report; otherwise (`deleteActivePods`) the finalizers stay and the pods
 * are counted as failed.
 */
export async function deletePods(
  deps: JobDeps,
  ctx: SyncJobCtx,
  pods: readonly PodObj[],
  expected: boolean,
): Promise<DeleteResult> {
  const results = await Promise.allSettled(
    pods.map(async (pod) => {
      if (expected) await removeTrackingFinalizer(deps.client, pod);
      const deleted = await deleteJobPod(deps, ctx.job, pod);
      if (!deleted && expected) deps.expectations.deletionObserved(ctx.key);
    }),
  );
  let removed = 0;
  let removedReady = 0;
  let error: unknown;
  results.forEach((r, i) => {
    if (r.status === "fulfilled") {
      removed++;
      if (isReady(pods[i]!)) removedReady++;
    } else {
      if (expected) deps.expectations.deletionObserved(ctx.key);
      error ??= r.reason;
    }
  });
  return { removed, removedReady, error };
}

/** `activePodsForRemoval`: duplicated indexes first, then by deletion preference. */
function podsForRemoval(deps: JobDeps, ctx: SyncJobCtx, rmAtLeast: number): PodObj[] {
  const job = ctx.job;
  let rm: PodObj[] = [];
  let left = [...ctx.activePods];
  if (isIndexedJob(job)) {
    rm = extraIndexedPods(ctx.activePods, job.spec?.completions ?? 0);
    left = left.filter((p) => !rm.includes(p));
  }
  if (rm.length < rmAtLeast) {
    rm.push(...sortForDeletion(left, deps.clock.now()).slice(0, rmAtLeast - rm.length));
  }
  return rm;
}

function wantActiveOf(ctx: SyncJobCtx, active: number): number {
  const spec = ctx.job.spec;
  const parallelism = spec?.parallelism ?? 1;
  if (spec?.completions == null) return ctx.succeeded > 0 ? active : parallelism;
  return Math.max(0, Math.min(spec.completions - ctx.succeeded, parallelism));
}

async function removePods(deps: JobDeps, ctx: SyncJobCtx, pods: PodObj[]) {
  deps.expectations.expectDeletions(ctx.key, pods.length);
  const result = await deletePods(deps, ctx, pods, true);
  ctx.terminating += result.removed;
  ctx.ready -= result.removedReady;
  return result;
}

export async function manageJob(
  deps: JobDeps,
  ctx: SyncJobCtx,
): Promise<{ active: number; error: unknown }> {
  const job = ctx.job;
  let active = ctx.activePods.length;
  if (job.spec?.suspend) {
    const { removed, error } = await removePods(deps, ctx, podsForRemoval(deps, ctx, active));
    return { active: active - removed, error };
  }
  const wantActive = wantActiveOf(ctx, active);
  const toDelete = podsForRemoval(deps, ctx, Math.max(0, active - wantActive)).slice(
    0,
    maxPodCreateDeletePerSync,
  );
  if (toDelete.length > 0) {
    // Deletions and creations never happen in the same sync; deletion goes first.
    const { removed, error } = await removePods(deps, ctx, toDelete);
    return { active: active - removed, error };
  }
  const terminating = onlyReplaceFailedPods(job) ? ctx.terminating : 0;
  let diff = Math.min(wantActive - terminating - active, maxPodCreateDeletePerSync);
  if (diff <= 0) return { active, error: undefined };
  const remaining = remainingBackoff(ctx.newBackoffRecord, deps.clock.now());
  if (remaining > 0) {
    deps.enqueueAfter(ctx.key, remaining);
    return { active, error: undefined };
  }
  let indexes: number[] | undefined;
  if (isIndexedJob(job)) {
    indexes = firstPendingIndexes(
      ctx.succeededIndexes,
      busyIndexes(ctx),
      diff,
      job.spec?.completions ?? 0,
    );
    diff = indexes.length;
  }
  const { created, error } = await createPods(deps, ctx, diff, indexes);
  active += created;
  return { active, error };
}

/** Indexes held by active pods, and by terminating ones when only failed pods are replaced. */
function busyIndexes(ctx: SyncJobCtx): Set<number> {
  const busy = new Set<number>();
  const replaceFailedOnly = onlyReplaceFailedPods(ctx.job);
  for (const p of ctx.pods) {
    const ix = completionIndexOf(p);
    if (ix === undefined) continue;
    if (ctx.activePods.includes(p) || (replaceFailedOnly && isTerminating(p))) busy.add(ix);
  }
  return busy;
}

/** Creates `count` pods in batches of 1, 2, 4…; a failing batch stops the rest. */
async function createPods(
  deps: JobDeps,
  ctx: SyncJobCtx,
  count: number,
  indexes: number[] | undefined,
): Promise<{ created: number; error: unknown }> {
  const job = ctx.job;
  const name = job.metadata?.name ?? "";
  deps.expectations.expectCreations(ctx.key, count);
  let next = 0;
  const result = await slowStartBatch(count, slowStartInitialBatchSize, async () => {
    const ix = indexes?.[next++];
    const template = structuredClone(job.spec!.template);
    if (ix !== undefined) applyCompletionIndex(template, name, ix);
    const generateName = ix !== undefined ? generateNameWithIndex(name, ix) : `${name}-`;
    try {
      await createJobPod({
        client: deps.client,
        recorder: deps.recorder,
        job,
        template,
        generateName,
      });
    } catch (err) {
      deps.expectations.creationObserved(ctx.key);
      // A namespace being deleted refuses every create; nothing to retry.
      if (!isNamespaceTerminating(err)) throw err;
    }
  });
  // Pods never attempted after a failing batch will not be observed either.
  for (let skipped = next; skipped < count; skipped++) deps.expectations.creationObserved(ctx.key);
  return { created: result.successes, error: result.error };
}
