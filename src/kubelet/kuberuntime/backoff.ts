/**
 * Per-key exponential back-off (upstream `client-go/util/flowcontrol.Backoff`), used for
 * container restarts (CrashLoopBackOff) and image pulls (ImagePullBackOff): 10 s doubling to
 * 5 min; an entry not touched for twice the maximum starts over.
 */
import type { Clock } from "../../machinery/clock.ts";

interface Entry {
  backoffMs: number;
  lastUpdate: number;
}

export class Backoff {
  readonly #clock: Clock;
  readonly #initialMs: number;
  readonly #maxMs: number;
  readonly #entries = new Map<string, Entry>();

  constructor(options: { clock: Clock; initialMs?: number; maxMs?: number }) {
    this.#clock = options.clock;
    this.#initialMs = options.initialMs ?? 10_000;
    this.#maxMs = options.maxMs ?? 300_000;
  }

  #expired(eventTime: number, entry: Entry): boolean {
    return eventTime - entry.lastUpdate > this.#maxMs * 2;
  }

  /** The current delay of `key` (0 when it has none). */
  get(key: string): number {
    return this.#entries.get(key)?.backoffMs ?? 0;
  }

  /** Records a failure at `eventTime`: starts at the initial delay or doubles it. */
  next(key: string, eventTime: number): void {
    const entry = this.#entries.get(key);
    if (!entry || this.#expired(eventTime, entry)) {
      this.#entries.set(key, { backoffMs: this.#initialMs, lastUpdate: this.#clock.now() });
      return;
    }
    entry.backoffMs = Math.min(entry.backoffMs * 2, this.#maxMs);
    entry.lastUpdate = this.#clock.now();
  }

  /** Whether an event at `eventTime` is still inside the back-off window. */
  isInBackOffSince(key: string, eventTime: number): boolean {
    const entry = this.#entries.get(key);
    if (!entry || this.#expired(eventTime, entry)) return false;
    return this.#clock.now() - eventTime < entry.backoffMs;
  }

  /** Whether the last update of `key` is still inside its window (image pulls). */
  isInBackOffSinceUpdate(key: string): boolean {
    const entry = this.#entries.get(key);
    if (!entry || this.#expired(this.#clock.now(), entry)) return false;
    return this.#clock.now() - entry.lastUpdate < entry.backoffMs;
  }

  /** Milliseconds until `eventTime` leaves the window of `key` (0 if it already has). */
  remaining(key: string, eventTime: number): number {
    const entry = this.#entries.get(key);
    if (!entry) return 0;
    return Math.max(0, eventTime + entry.backoffMs - this.#clock.now());
  }

  reset(key: string): void {
    this.#entries.delete(key);
  }

  /** Forgets every key with this prefix (a pod's containers when the pod goes). */
  forgetPrefix(prefix: string): void {
    for (const k of this.#entries.keys()) if (k.startsWith(prefix)) this.#entries.delete(k);
  }
}
