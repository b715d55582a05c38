/**
 * The controller skeleton every controller shares: workers take keys from the queue and call an
 * idempotent, level-triggered `sync(key)`; a throw means "retry later with back-off", success
 * forgets the key's failures.
 */

import { onAbort } from "../machinery/abort.ts";
import type { Logger } from "../machinery/log.ts";
import { isStatusError } from "../machinery/status.ts";
import type { WorkQueue } from "./work-queue.ts";

/**
 * A sync that found its informer's cache behind the controller's own last write (it would act on
 * what it already replaced). Retried with back-off like any failure, but logged at debug only:
 * it is expected right after every write (upstream logs it at V(2)).
 */
export class StaleCacheError extends Error {}

export interface Controller {
  readonly name: string;
  /** Runs until `signal` aborts. */
  run(signal: AbortSignal, options?: { workers?: number }): Promise<void>;
}

export async function runWorkers(options: {
  queue: WorkQueue<string>;
  workers: number;
  sync: (key: string) => Promise<void>;
  log: Logger;
  signal: AbortSignal;
}): Promise<void> {
  const { queue, sync, log, signal } = options;
  onAbort(signal, () => queue.shutDown());
  const worker = async () => {
    for (;;) {
      const key = await queue.get();
      if (key === undefined) return;
      try {
        await sync(key);
        queue.forget(key);
      } catch (err) {
        const fields = { key, err, retries: queue.numRequeues(key) };
        // A stale cache, and the conflict a write from one earns, are the normal lot of a
        // controller reading through an informer: retried, and not worth a warning (upstream
        // logs retries at V(2)).
        if (err instanceof StaleCacheError) log.debug("cache out of date; will retry", fields);
        else if (isStatusError(err, "Conflict")) log.debug("write conflict; will retry", fields);
        else log.warn("sync failed; will retry", fields);
        queue.addRateLimited(key);
      } finally {
        queue.done(key);
      }
    }
  };
  await Promise.all(Array.from({ length: options.workers }, worker));
}
