/**
 * A rate-limited work queue with client-go's semantics:
 * - a key is in the queue at most once (adding it again while queued does nothing);
 * - a key being processed is not handed to a second worker; added meanwhile, it is queued again
 *   when the first worker calls `done`;
 * - `addRateLimited` retries with per-key exponential back-off (5 ms doubling, capped), reset by
 *   `forget` after a success.
 * Retry logic stays out of the business logic: controllers just throw from `sync`.
 */
import { type Clock, realClock } from "../machinery/clock.ts";

export interface WorkQueueOptions {
  readonly clock?: Clock;
  readonly baseDelayMs?: number;
  readonly maxDelayMs?: number;
}

export class WorkQueue<K = string> {
  readonly #clock: Clock;
  readonly #base: number;
  readonly #max: number;
  #queue: K[] = [];
  readonly #dirty = new Set<K>();
  readonly #processing = new Set<K>();
  readonly #failures = new Map<K, number>();
  #waiters: Array<(key: K | undefined) => void> = [];
  #shutDown = false;

  constructor(options: WorkQueueOptions = {}) {
    this.#clock = options.clock ?? realClock;
    this.#base = options.baseDelayMs ?? 5;
    this.#max = options.maxDelayMs ?? 1000_000;
  }

  get length(): number {
    return this.#queue.length;
  }

  add(key: K): void {
    if (this.#shutDown || this.#dirty.has(key)) return;
    this.#dirty.add(key);
    if (this.#processing.has(key)) return;
    const waiter = this.#waiters.shift();
    if (waiter) {
      this.#dirty.delete(key);
      this.#processing.add(key);
      waiter(key);
    } else {
      this.#queue.push(key);
    }
  }

  addAfter(key: K, ms: number): void {
    if (this.#shutDown) return;
    if (ms <= 0) this.add(key);
    else this.#clock.after(ms, () => this.add(key));
  }

  addRateLimited(key: K): void {
    const failures = this.#failures.get(key) ?? 0;
    this.#failures.set(key, failures + 1);
    this.addAfter(key, Math.min(this.#max, this.#base * 2 ** failures));
  }

  forget(key: K): void {
    this.#failures.delete(key);
  }

  numRequeues(key: K): number {
    return this.#failures.get(key) ?? 0;
  }

  /** The next key to process; undefined once the queue is shut down. */
  get(): Promise<K | undefined> {
    const key = this.#queue.shift();
    if (key !== undefined) {
      this.#dirty.delete(key);
      this.#processing.add(key);
      return Promise.resolve(key);
    }
    if (this.#shutDown) return Promise.resolve(undefined);
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  done(key: K): void {
    this.#processing.delete(key);
    if (this.#dirty.has(key)) {
      this.#dirty.delete(key);
      this.add(key);
    }
  }

  shutDown(): void {
    this.#shutDown = true;
    for (const w of this.#waiters.splice(0)) w(undefined);
  }
}
