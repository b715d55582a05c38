/**
 * Back-off for replacing failed daemon pods (upstream `failedPodsBackoff`, a `flowcontrol.Backoff`
 * of 1 s doubling to 15 min per DaemonSet and node): a kubelet that keeps rejecting a pod must
 * not make the controller delete and recreate it in a hot loop.
 */
import type { Clock } from "../../machinery/clock.ts";

const initialMs = 1000;
const maxMs = 15 * 60 * 1000;

interface Entry {
  delayMs: number;
  lastUpdate: number;
}

export class FailedPodsBackoff {
  readonly #clock: Clock;
  readonly #entries = new Map<string, Entry>();

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /** Still waiting since the last failure on this key; returns the remaining delay if so. */
  inBackoff(key: string): number | undefined {
    const e = this.#entries.get(key);
    if (!e) return undefined;
    const left = e.lastUpdate + e.delayMs - this.#clock.now();
    return left > 0 ? left : undefined;
  }

  /** Records a failure: the delay doubles, or starts over if the key was quiet for long. */
  next(key: string): void {
    const now = this.#clock.now();
    const e = this.#entries.get(key);
    const expired = !e || now - e.lastUpdate > 2 * maxMs;
    const delayMs = expired ? initialMs : Math.min(e.delayMs * 2, maxMs);
    this.#entries.set(key, { delayMs, lastUpdate: now });
  }

  /** Forgets keys quiet for longer than twice the maximum delay. */
  gc(): void {
    const now = this.#clock.now();
    for (const [k, e] of this.#entries) if (now - e.lastUpdate > 2 * maxMs) this.#entries.delete(k);
  }
}
