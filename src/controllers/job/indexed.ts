/**
 * Completion indexes of Indexed Jobs (upstream `indexed_job_utils.go`): ordered intervals, their
 * `status.completedIndexes` text ("1,3-5,7"), the indexes still to run, and the pod name prefix
 * and template changes each index gets.
 */
import type { PodTemplateSpec } from "../../api/generated/types.ts";
import {
  completionIndexEnvName,
  completionIndexOf,
  hasTrackingFinalizer,
  type JobObj,
  jobCompletionIndexAnnotation,
  type PodObj,
} from "./job-pods.ts";

/** Sorted, non-overlapping, non-adjacent [first, last] intervals. */
export type Intervals = ReadonlyArray<readonly [number, number]>;

export function totalOf(intervals: Intervals): number {
  return intervals.reduce((n, [a, b]) => n + b - a + 1, 0);
}

export function hasIndex(intervals: Intervals, ix: number): boolean {
  return intervals.some(([a, b]) => ix >= a && ix <= b);
}

export function formatIntervals(intervals: Intervals): string {
  return intervals.map(([a, b]) => (a === b ? `${a}` : `${a}-${b}`)).join(",");
}

/** Merges sorted indexes into `intervals`. */
export function withOrderedIndexes(intervals: Intervals, indexes: readonly number[]): Intervals {
  const all = [...intervals.map(([a, b]) => [a, b] as [number, number])];
  for (const ix of indexes) all.push([ix, ix]);
  all.sort((x, y) => x[0] - y[0]);
  const out: [number, number][] = [];
  for (const [a, b] of all) {
    const last = out[out.length - 1];
    if (last && a <= last[1] + 1) last[1] = Math.max(last[1], b);
    else out.push([a, b]);
  }
  return out;
}

/** `parseIndexesFromString`: ignores malformed parts and indexes at or beyond `completions`. */
export function parseIntervals(text: string | undefined, completions: number): Intervals {
  const indexes: [number, number][] = [];
  for (const part of (text ?? "").split(",")) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!m) continue;
    const first = Number(m[1]);
    const last = Math.min(Number(m[2] ?? m[1]), completions - 1);
    if (first <= last) indexes.push([first, last]);
  }
  return withOrderedIndexes(indexes, []);
}

/** `calculateSucceededIndexes`: counted ones from status plus succeeded pods not yet counted. */
export function calculateSucceededIndexes(
  job: JobObj,
  pods: readonly PodObj[],
): { prev: Intervals; all: Intervals } {
  const completions = job.spec?.completions ?? 0;
  const prev = parseIntervals(job.status?.completedIndexes, completions);
  const fresh = new Set<number>();
  for (const p of pods) {
    const ix = completionIndexOf(p);
    if (p.status?.phase !== "Succeeded" || ix === undefined || ix >= completions) continue;
    if (hasTrackingFinalizer(p)) fresh.add(ix);
  }
  return {
    prev,
    all: withOrderedIndexes(
      prev,
      [...fresh].sort((a, b) => a - b),
    ),
  };
}

/** The first `count` indexes below `completions` that are neither done nor in `busy`. */
export function firstPendingIndexes(
  succeeded: Intervals,
  busy: ReadonlySet<number>,
  count: number,
  completions: number,
): number[] {
  const out: number[] = [];
  for (let ix = 0; ix < completions && out.length < count; ix++) {
    if (!busy.has(ix) && !hasIndex(succeeded, ix)) out.push(ix);
  }
  return out;
}

/**
 * `appendDuplicatedIndexPodsForRemoval`: active pods of an Indexed Job without a valid index, or
 * repeating an index another active pod holds, are removed first.
 */
export function extraIndexedPods(activePods: readonly PodObj[], completions: number): PodObj[] {
  const seen = new Set<number>();
  const extra: PodObj[] = [];
  for (const p of activePods) {
    const ix = completionIndexOf(p);
    if (ix === undefined || ix >= completions || seen.has(ix)) {
      extra.push(p);
    } else seen.add(ix);
  }
  return extra;
}

const maxGeneratedNameLength = 58;

/** `podGenerateNameWithIndex`: `<job>-<index>-`, the job name shortened to fit. */
export function generateNameWithIndex(jobName: string, index: number): string {
  const suffix = `-${index}-`;
  const prefix = jobName + suffix;
  if (prefix.length <= maxGeneratedNameLength) return prefix;
  return jobName.slice(0, maxGeneratedNameLength - suffix.length) + suffix;
}

/** Adds the index annotation and label, the hostname and the JOB_COMPLETION_INDEX env var. */
export function applyCompletionIndex(template: PodTemplateSpec, jobName: string, ix: number): void {
  template.metadata ??= {};
  template.metadata.annotations = {
    ...template.metadata.annotations,
    [jobCompletionIndexAnnotation]: String(ix),
  };
  template.metadata.labels = {
    ...template.metadata.labels,
    [jobCompletionIndexAnnotation]: String(ix),
  };
  template.spec ??= { containers: [] };
  template.spec.hostname = `${jobName}-${ix}`;
  const fieldPath = `metadata.labels['${jobCompletionIndexAnnotation}']`;
  for (const c of [...(template.spec.initContainers ?? []), ...template.spec.containers]) {
    if ((c.env ?? []).some((e) => e.name === completionIndexEnvName)) continue;
    c.env = [
      ...(c.env ?? []),
      { name: completionIndexEnvName, valueFrom: { fieldRef: { fieldPath } } },
    ];
  }
}
