/**
 * `slowStartBatch`: calls `fn` `count` times in batches of 1, 2, 4, … (starting at
 * `initialBatchSize`), each batch concurrently, and stops after the first batch with a failure.
 * A controller that cannot create pods (quota, admission) so fails once or twice instead of
 * flooding the API with requests that all fail the same way.
 */
export interface SlowStartResult {
  readonly successes: number;
  /** The first error of the failing batch, if any. */
  readonly error?: unknown;
}

export async function slowStartBatch(
  count: number,
  initialBatchSize: number,
  fn: () => Promise<void>,
): Promise<SlowStartResult> {
  let remaining = count;
  let successes = 0;
  for (
    let batchSize = Math.min(remaining, initialBatchSize);
    batchSize > 0;
    batchSize = Math.min(2 * batchSize, remaining)
  ) {
    const results = await Promise.allSettled(Array.from({ length: batchSize }, () => fn()));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
    successes += results.filter((r) => r.status === "fulfilled").length;
    if (failed) return { successes, error: failed.reason };
    remaining -= batchSize;
  }
  return { successes };
}

/** Upstream's `SlowStartInitialBatchSize`. */
export const slowStartInitialBatchSize = 1;
