/**
 * Back-off between pod failures (upstream `backoff_utils.go`): per Job, the failures since the
 * last success and when the last one happened. A replacement pod waits 10 s after one failure,
 * doubling per further failure, capped at 6 minutes. Kept in memory, as upstream does.
 */
import { finishedTimeOf, type PodObj } from "./job-pods.ts";

export const defaultJobPodFailureBackOffMs = 10_000;
export const maxJobPodFailureBackOffMs = 360_000;

export interface BackoffRecord {
  readonly key: string;
  readonly failuresAfterLastSuccess: number;
  readonly lastFailureTime: number | undefined;
}

const byFinishedTime = (a: PodObj, b: PodObj) => finishedTimeOf(a) - finishedTimeOf(b);

export class BackoffStore {
  readonly #records = new Map<string, BackoffRecord>();

  /** The record after counting pods that finished since the last sync. */
  newBackoffRecord(
    key: string,
    newSucceeded: readonly PodObj[],
    newFailed: readonly PodObj[],
  ): BackoffRecord {
    const old = this.#records.get(key) ?? {
      key,
      failuresAfterLastSuccess: 0,
      lastFailureTime: undefined,
    };
    const failed = [...newFailed].sort(byFinishedTime);
    if (newSucceeded.length === 0) {
      const last = failed[failed.length - 1];
      if (!last) return old;
      return {
        key,
        failuresAfterLastSuccess: old.failuresAfterLastSuccess + failed.length,
        lastFailureTime: finishedTimeOf(last),
      };
    }
    const lastSuccess = Math.max(...newSucceeded.map(finishedTimeOf));
    const after = failed.filter((p) => finishedTimeOf(p) > lastSuccess);
    const last = after[after.length - 1];
    return {
      key,
      failuresAfterLastSuccess: after.length,
      lastFailureTime: last ? finishedTimeOf(last) : undefined,
    };
  }

  update(record: BackoffRecord): void {
    this.#records.set(record.key, record);
  }

  remove(key: string): void {
    this.#records.delete(key);
  }
}

/** How long a new pod must still wait; 0 when it may be created now. */
export function remainingBackoff(record: BackoffRecord, now: number): number {
  if (record.failuresAfterLastSuccess === 0 || record.lastFailureTime === undefined) return 0;
  let delay = defaultJobPodFailureBackOffMs;
  for (let i = 1; i < record.failuresAfterLastSuccess; i++) {
    delay *= 2;
    if (delay >= maxJobPodFailureBackOffMs) {
      delay = maxJobPodFailureBackOffMs;
      break;
    }
  }
  const elapsed = now - record.lastFailureTime;
  return delay < elapsed ? 0 : delay - elapsed;
}
