/**
 * The API server's `etcd` readiness check: a linearizable read with a short deadline (upstream
 * `--etcd-healthcheck-timeout`, 2 s), repeated every second in the background so `/readyz` answers
 * at once. A member whose cluster lost quorum cannot serve a linearizable read, so the check fails
 * then. As upstream, `/readyz?verbose` shows only `failed: reason withheld`; the reason goes to
 * the log, once per change of state.
 */
import { type Clock, realClock, type Timer } from "../machinery/clock.ts";
import type { Logger } from "../machinery/log.ts";

export interface StoreHealthOptions {
  /** Resolves when the store answered a linearizable read; rejects (or times out) otherwise. */
  readonly check: () => Promise<void>;
  readonly log: Logger;
  readonly clock?: Clock;
  readonly intervalMs?: number;
  readonly timeoutMs?: number;
}

export interface StoreHealthState {
  readonly ok: boolean;
  readonly message?: string;
}

export class StoreHealthProbe {
  readonly #o: StoreHealthOptions;
  readonly #clock: Clock;
  #state: StoreHealthState = { ok: false, message: "reason withheld" };
  #timer: Timer | undefined;
  #stopped = false;
  #lastReason = "";

  constructor(options: StoreHealthOptions) {
    this.#o = options;
    this.#clock = options.clock ?? realClock;
  }

  get state(): StoreHealthState {
    return this.#state;
  }

  /** Probes once now, then every interval, until `stop`. */
  start(): Promise<void> {
    return this.probe();
  }

  /** One probe; schedules the next. */
  async probe(): Promise<void> {
    const timeoutMs = this.#o.timeoutMs ?? 2000;
    let timeout: Timer | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timeout = this.#clock.after(timeoutMs, () =>
        reject(new Error(`no answer within ${timeoutMs} ms`)),
      );
    });
    try {
      const check = this.#o.check();
      check.catch(() => {}); // a late failure after the timeout is not unhandled
      await Promise.race([check, timedOut]);
      if (!this.#state.ok && this.#lastReason) this.#o.log.info("etcd check passes again");
      this.#state = { ok: true };
      this.#lastReason = "";
    } catch (err) {
      const reason = (err as Error).message;
      if (reason !== this.#lastReason) {
        this.#o.log.error("etcd check failed (no quorum, or the member is down)", { reason });
      }
      this.#lastReason = reason;
      this.#state = { ok: false, message: "reason withheld" };
    } finally {
      timeout?.cancel();
    }
    if (!this.#stopped) {
      this.#timer = this.#clock.after(this.#o.intervalMs ?? 1000, () => void this.probe());
    }
  }

  stop(): void {
    this.#stopped = true;
    this.#timer?.cancel();
  }
}
