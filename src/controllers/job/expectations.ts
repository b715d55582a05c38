/**
 * What a controller waits to see in its informer before trusting the cache again (upstream
 * `ControllerExpectations` and the Job controller's finalizer-removal expectations): after
 * creating or deleting pods, the number of adds and deletes still to be observed; after removing
 * tracking finalizers, the pod uids whose update has not been seen yet. Creation expectations
 * expire after five minutes, as upstream's do, so a lost event cannot wedge a controller.
 */
import type { Clock } from "../../machinery/clock.ts";

const expectationsTimeoutMs = 5 * 60_000;

interface Pending {
  add: number;
  del: number;
  at: number;
}

export class ControllerExpectations {
  readonly #clock: Clock;
  readonly #pending = new Map<string, Pending>();

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  satisfied(key: string): boolean {
    const p = this.#pending.get(key);
    if (!p) return true;
    if (p.add <= 0 && p.del <= 0) return true;
    return this.#clock.now() - p.at > expectationsTimeoutMs;
  }

  expectCreations(key: string, n: number): void {
    this.#pending.set(key, { add: n, del: 0, at: this.#clock.now() });
  }

  expectDeletions(key: string, n: number): void {
    this.#pending.set(key, { add: 0, del: n, at: this.#clock.now() });
  }

  creationObserved(key: string): void {
    const p = this.#pending.get(key);
    if (p) p.add--;
  }

  deletionObserved(key: string): void {
    const p = this.#pending.get(key);
    if (p) p.del--;
  }

  delete(key: string): void {
    this.#pending.delete(key);
  }
}

export class UidExpectations {
  readonly #pending = new Map<string, Set<string>>();

  expect(key: string, uids: readonly string[]): void {
    const set = this.#pending.get(key) ?? new Set<string>();
    for (const uid of uids) set.add(uid);
    this.#pending.set(key, set);
  }

  observed(key: string, uid: string): void {
    const set = this.#pending.get(key);
    if (!set) return;
    set.delete(uid);
    if (set.size === 0) this.#pending.delete(key);
  }

  expected(key: string): ReadonlySet<string> {
    return this.#pending.get(key) ?? new Set();
  }

  delete(key: string): void {
    this.#pending.delete(key);
  }
}
