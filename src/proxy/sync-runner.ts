/**
 * Runs a sync function no more often than every `minIntervalMs` (upstream's
 * `BoundedFrequencyRunner`): the first request runs at once, requests during the interval or
 * during a running sync are coalesced into one run when it ends. A failed sync is retried with
 * back-off (from the minimum interval, doubling to `maxRetryMs`). Time comes from the injected
 * clock, so tests move it instead of sleeping.
 *
 * With `quick`, the hold after a sync follows what it cost: `busyFactor ×` its duration (so
 * syncing takes at most 1/busyFactor of the time), at least `floorMs`, at most `minIntervalMs`.
 * A small table's changes then land in a tenth of a second, a big one's still at most once per
 * `minIntervalMs` (upstream always waits `minSyncPeriod`, 1 s by default). With `cost`, the
 * duration is the CPU time the sync used (bounded by its wall time): on a busy node a sync waits
 * for the cores, and that wait is not what the proxy spends.
 *
 * With `burst`, as upstream's runner (kube-proxy's `burstSyncs` is 2), the hold is a token
 * bucket: that many syncs may start back to back, and one more is allowed per hold after. A
 * second change that arrives just after a sync (the second of two pods turning Ready) then lands
 * at once instead of a hold later, which on a busy node (where a sync's wall time, and so the
 * hold, grows) was over a second.
 */
import type { Clock, Timer } from "../machinery/clock.ts";

export interface SyncRunnerOptions {
  readonly clock: Clock;
  readonly minIntervalMs: number;
  readonly maxRetryMs?: number;
  /** The work; a throw schedules a retry. */
  readonly sync: () => Promise<void>;
  readonly onError?: (err: unknown, retryMs: number) => void;
  readonly quick?: { readonly floorMs: number; readonly busyFactor: number };
  /** Syncs that may start back to back before the hold applies (default 1). */
  readonly burst?: number;
  /** A running total of CPU ms (e.g. the process's and its children's); read around each sync. */
  readonly cost?: () => number;
}

export class SyncRunner {
  readonly #o: SyncRunnerOptions;
  #lastStart = Number.NEGATIVE_INFINITY;
  #costAtStart = 0;
  /** The hold: one more sync may start per this many ms. */
  #holdMs: number;
  /** Syncs that may start now (up to `burst`), as of `#tokensAt`. */
  #tokens: number;
  #tokensAt: number;
  readonly #burst: number;
  #timer: Timer | undefined;
  #timerAt = 0;
  #running: Promise<void> | undefined;
  #again = false;
  #failures = 0;
  #stopped = false;

  constructor(options: SyncRunnerOptions) {
    this.#o = options;
    this.#holdMs = options.minIntervalMs;
    this.#burst = Math.max(1, options.burst ?? 1);
    this.#tokens = this.#burst;
    this.#tokensAt = options.clock.now();
  }

  /** Asks for a sync as soon as the hold allows. */
  request(): void {
    const tokens = this.#refill();
    this.#schedule(tokens >= 1 ? 0 : Math.ceil((1 - tokens) * this.#holdMs));
  }

  /** Tokens accrued since the last look, at one per hold, up to the burst. */
  #refill(): number {
    const now = this.#o.clock.now();
    const accrued = this.#holdMs > 0 ? (now - this.#tokensAt) / this.#holdMs : this.#burst;
    this.#tokens = Math.min(this.#burst, this.#tokens + accrued);
    this.#tokensAt = now;
    return this.#tokens;
  }

  /** Resolves when no sync is running (for tests and shutdown). */
  async idle(): Promise<void> {
    while (this.#running) await this.#running;
  }

  stop(): void {
    this.#stopped = true;
    this.#timer?.cancel();
    this.#timer = undefined;
  }

  #schedule(delayMs: number): void {
    if (this.#stopped) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    const at = this.#o.clock.now() + delayMs;
    if (this.#timer && this.#timerAt <= at) return;
    this.#timer?.cancel();
    this.#timerAt = at;
    this.#timer = this.#o.clock.after(delayMs, () => {
      this.#timer = undefined;
      this.#start();
    });
  }

  #start(): void {
    if (this.#stopped || this.#running) return;
    this.#tokens = Math.max(0, this.#refill() - 1);
    this.#lastStart = this.#o.clock.now();
    this.#costAtStart = this.#o.cost?.() ?? 0;
    this.#again = false;
    this.#running = this.#o
      .sync()
      .then(
        () => {
          this.#failures = 0;
          // Not refilled first: the tokens since this sync's start accrue at the new hold.
          const wall = this.#o.clock.now() - this.#lastStart;
          const cost = this.#o.cost;
          this.#holdMs = this.#holdAfter(cost ? Math.min(wall, cost() - this.#costAtStart) : wall);
        },
        (err: unknown) => {
          this.#failures++;
          const retry = Math.min(
            this.#o.minIntervalMs * 2 ** (this.#failures - 1),
            this.#o.maxRetryMs ?? 30_000,
          );
          this.#refill();
          this.#holdMs = this.#o.minIntervalMs;
          this.#o.onError?.(err, retry);
          this.#again = false;
          this.#running = undefined;
          this.#schedule(retry);
        },
      )
      .finally(() => {
        this.#running = undefined;
        if (this.#again) {
          this.#again = false;
          this.request();
        }
      });
  }

  #holdAfter(durationMs: number): number {
    const q = this.#o.quick;
    if (!q) return this.#o.minIntervalMs;
    const floor = Math.min(q.floorMs, this.#o.minIntervalMs);
    return Math.min(this.#o.minIntervalMs, Math.max(floor, q.busyFactor * durationMs));
  }
}
