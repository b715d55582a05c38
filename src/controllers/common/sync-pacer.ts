/**
 * Paces the syncs that a stream of small changes asks for, by what the syncs cost.
 *
 * A ReplicaSet's sync walks all its pods; one with 10,000 pods, synced again for every pod's
 * status change, took most of the controller thread while those pods started. After a sync whose
 * pass over the pods took `c` ms, paced adds of its key wait until `factor × c` ms after it (at
 * most `maxMs`), gathering the changes meanwhile into one sync: a small ReplicaSet (c ≈ 0) syncs
 * at once as before, a large one spends at most about 1/factor of the time syncing. Upstream
 * batches the pod updates of its Job and EndpointSlice controllers the same way, with fixed
 * periods. Keys whose changes must not wait (creations and deletions the expectations count,
 * spec changes) go to the queue directly.
 */

import type { WorkQueue } from "../../client/work-queue.ts";
import type { Clock } from "../../machinery/clock.ts";

export class SyncPacer<K = string> {
  readonly #queue: WorkQueue<K>;
  readonly #clock: Clock;
  readonly #factor: number;
  readonly #maxMs: number;
  /** When paced adds of a key may next go to the queue (clock ms); absent: at once. */
  readonly #notBefore = new Map<K, number>();
  /** Keys with a delayed add on its way. */
  readonly #waiting = new Set<K>();

  constructor(
    queue: WorkQueue<K>,
    clock: Clock,
    options: { factor?: number; maxMs?: number } = {},
  ) {
    this.#queue = queue;
    this.#clock = clock;
    this.#factor = options.factor ?? 10;
    this.#maxMs = options.maxMs ?? 1000;
  }

  /** Records that a sync of `key` just spent `costMs` on its pass over the objects. */
  synced(key: K, costMs: number): void {
    const pause = Math.min(this.#maxMs, costMs * this.#factor);
    if (pause < 1) this.#notBefore.delete(key);
    else this.#notBefore.set(key, this.#clock.now() + pause);
  }

  /** Queues `key` now, or when the pause after its last sync ends. */
  add(key: K): void {
    const wait = (this.#notBefore.get(key) ?? 0) - this.#clock.now();
    if (wait <= 0) {
      this.#queue.add(key);
      return;
    }
    if (this.#waiting.has(key)) return;
    this.#waiting.add(key);
    this.#clock.after(wait, () => {
      this.#waiting.delete(key);
      this.#queue.add(key);
    });
  }

  /** Forgets a key (its object is gone). */
  forget(key: K): void {
    this.#notBefore.delete(key);
  }
}
