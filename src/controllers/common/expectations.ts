/**
 * Controller expectations (upstream `UIDTrackingControllerExpectations`): after asking the API
 * to create or delete pods, a controller waits until its informer has seen those changes before
 * it counts pods again, so a stale cache never makes it create (or delete) twice. Deletions are
 * tracked by pod key, so the update that sets a deletionTimestamp and the final delete count once.
 * Expectations older than five minutes are treated as met, so a lost watch event cannot wedge a
 * controller.
 */
import type { Clock } from "../../machinery/clock.ts";

/** Upstream `ExpectationsTimeout`. */
export const expectationsTimeoutMs = 5 * 60 * 1000;

interface Expectation {
  add: number;
  del: number;
  timestamp: number;
  deleteKeys: Set<string>;
}

export class ControllerExpectations {
  readonly #clock: Clock;
  readonly #items = new Map<string, Expectation>();

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /** True when the controller `key` may act: no record, all observed, or the record expired. */
  satisfiedExpectations(key: string): boolean {
    const exp = this.#items.get(key);
    if (!exp) return true;
    if (exp.add <= 0 && exp.del <= 0) return true;
    return this.#clock.now() - exp.timestamp > expectationsTimeoutMs;
  }

  expectCreations(key: string, adds: number): void {
    this.#items.set(key, {
      add: adds,
      del: 0,
      timestamp: this.#clock.now(),
      deleteKeys: new Set(),
    });
  }

  /** Expects the deletion of these pods (by `namespace/name`). */
  expectDeletions(key: string, podKeys: readonly string[]): void {
    const deleteKeys = new Set(podKeys);
    this.#items.set(key, {
      add: 0,
      del: deleteKeys.size,
      timestamp: this.#clock.now(),
      deleteKeys,
    });
  }

  creationObserved(key: string): void {
    const exp = this.#items.get(key);
    if (exp) exp.add--;
  }

  /** Counts a deletion once per expected pod; pods nobody expected to delete are ignored. */
  deletionObserved(key: string, podKey: string): void {
    const exp = this.#items.get(key);
    if (exp?.deleteKeys.delete(podKey)) exp.del--;
  }

  deleteExpectations(key: string): void {
    this.#items.delete(key);
  }

  /** The pending counts, for tests and logs. */
  get(key: string): { add: number; del: number } | undefined {
    const exp = this.#items.get(key);
    return exp ? { add: exp.add, del: exp.del } : undefined;
  }
}
