/**
 * Automatic compaction, for every backend: at each tick, compact to the revision that was current
 * at the previous tick. History therefore always covers at least one interval (watchers that
 * reconnect within it resume without a relist, as upstream's 5-minute compaction allows), and the
 * database stops growing under steady updates instead of keeping every revision forever.
 */
import { type Clock, realClock, type Timer } from "../machinery/clock.ts";
import { type Logger, silentLogger } from "../machinery/log.ts";
import type { Store } from "./store.ts";

export interface CompactorOptions {
  readonly intervalMs?: number;
  readonly clock?: Clock;
  readonly log?: Logger;
}

export interface Compactor {
  /** Runs one tick now (tests, benchmarks). */
  tick(): Promise<void>;
  stop(): void;
}

export function startCompactor(store: Store, options: CompactorOptions = {}): Compactor {
  const clock = options.clock ?? realClock;
  const intervalMs = options.intervalMs ?? 5 * 60_000;
  const log = options.log ?? silentLogger;
  let previous = 0;
  let timer: Timer | undefined;
  let stopped = false;
  let running: Promise<void> | undefined;

  const tick = async () => {
    const current = await store.currentRevision();
    if (previous > 0) {
      const started = clock.now();
      await store.compact(previous);
      log.debug("compacted", { revision: previous, ms: clock.now() - started });
    }
    previous = current;
  };
  const schedule = () => {
    timer = clock.after(intervalMs, () => {
      running = tick()
        .catch((err: unknown) => log.warn("compaction failed", { err }))
        .finally(() => {
          running = undefined;
          if (!stopped) schedule();
        });
    });
  };
  schedule();
  return {
    async tick() {
      await running;
      await tick();
    },
    stop() {
      stopped = true;
      timer?.cancel();
    },
  };
}
