/**
 * An informer's cache overlaid with the objects this controller just wrote (upstream's
 * `storeObjectUpdate`): after a successful write the controller must not act on the older copy
 * its informer still holds, or it would, say, bind a volume it already gave to another claim.
 * Whichever copy has the higher resourceVersion wins; the overlay entry is dropped once the
 * informer catches up or the object is deleted.
 */
import type { KubeObject } from "../../../api/object.ts";
import { type Informer, keyOf } from "../../../client/informer.ts";
import { revisionOf } from "./volume-util.ts";

export class ObjectCache<T extends KubeObject> {
  readonly informer: Informer<T>;
  readonly #written = new Map<string, T>();

  constructor(informer: Informer<T>) {
    this.informer = informer;
  }

  get(key: string): T | undefined {
    const cached = this.informer.getByKey(key);
    const written = this.#written.get(key);
    if (!written) return cached;
    if (cached && revisionOf(cached) >= revisionOf(written)) {
      this.#written.delete(key);
      return cached;
    }
    return written;
  }

  list(): T[] {
    return this.informer.list().map((obj) => this.get(keyOf(obj)) ?? obj);
  }

  /** Records an object the controller wrote (the API server's answer). */
  store(obj: T): T {
    this.#written.set(keyOf(obj), obj);
    return obj;
  }

  /** Forgets a deleted object. */
  forget(key: string): void {
    this.#written.delete(key);
  }
}
