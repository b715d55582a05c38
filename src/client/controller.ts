/**
 * The controller skeleton every controller shares: workers take keys from the queue and call an
 * idempotent, level-triggered `sync(key)`; a throw means "retry later with back-off", success
 * forgets the key's failures.
 */

import { onAbort } from "../machinery/abort.ts";
import type { Logger } from "../machinery/log.ts";
import type { WorkQueue } from "./work-queue.ts";

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
        log.warn("sync failed; will retry", { key, err, retries: queue.numRequeues(key) });
        queue.addRateLimited(key);
      } finally {
        queue.done(key);
      }
    }
  };
  await Promise.all(Array.from({ length: options.workers }, worker));
}
