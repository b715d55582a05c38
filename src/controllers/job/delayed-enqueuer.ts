/**
 * `AddAfter` with client-go's delaying-queue semantics: at most one pending timer per key, and
 * a later request never postpones an earlier one. Timers run on the injected clock, so tests
 * move time instead of sleeping. Shared by the Job, CronJob and TTL controllers.
 */
import type { WorkQueue } from "../../client/work-queue.ts";
import type { Clock, Timer } from "../../machinery/clock.ts";

export class DelayedEnqueuer {
  readonly #clock: Clock;
  readonly #queue: WorkQueue<string>;
  readonly #timers = new Map<string, { at: number; timer: Timer }>();

  constructor(clock: Clock, queue: WorkQueue<string>) {
    this.#clock = clock;
    this.#queue = queue;
  }

  addAfter(key: string, ms: number): void {
    if (ms <= 0) {
      this.#queue.add(key);
      return;
    }
    const at = this.#clock.now() + ms;
    const existing = this.#timers.get(key);
    if (existing && existing.at <= at) return;
    existing?.timer.cancel();
    const timer = this.#clock.after(ms, () => {
      this.#timers.delete(key);
      this.#queue.add(key);
    });
    this.#timers.set(key, { at, timer });
  }

  /** Replaces any pending timer of `key` (a CronJob's next schedule time may move later). */
  setAfter(key: string, ms: number): void {
    this.cancel(key);
    this.addAfter(key, ms);
  }

  cancel(key: string): void {
    this.#timers.get(key)?.timer.cancel();
    this.#timers.delete(key);
  }

  cancelAll(): void {
    for (const { timer } of this.#timers.values()) timer.cancel();
    this.#timers.clear();
  }
}
