/**
 * Interning for cached objects: every pod of a Deployment carries the same owner uid, image,
 * tolerations, condition types and, for each second, the same timestamps, and `JSON.parse` makes
 * a copy of each for every object. Informers swap those copies for one shared string (at 10,000
 * pods, 30,000 copies of the owner's uid alone), which takes a third off a cached pod.
 *
 * Strings cannot be held weakly, so the pool is bounded: two generations of at most `capacity`
 * strings each; a string found in the older generation moves to the younger, the older is dropped
 * when the younger fills. Strings that recur stay; one-off names and uids pass through.
 */
export class StringPool {
  readonly #capacity: number;
  #young = new Map<string, string>();
  #old = new Map<string, string>();

  constructor(capacity = 2048) {
    this.#capacity = capacity;
  }

  /** The pooled copy of `s` (after which `s` itself is the pooled copy for later callers). */
  intern(s: string): string {
    const young = this.#young.get(s);
    if (young !== undefined) return young;
    const pooled = this.#old.get(s) ?? s;
    if (this.#young.size >= this.#capacity) {
      this.#old = this.#young;
      this.#young = new Map();
    }
    this.#young.set(pooled, pooled);
    return pooled;
  }

  /** Replaces, in place, every string in a JSON value (keys are interned by JSON.parse already). */
  internAll<T>(value: T): T {
    if (typeof value === "string")
      return (value.length <= maxPooledLength ? this.intern(value) : value) as T;
    if (typeof value !== "object" || value === null) return value;
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) value[i] = this.internAll(value[i]);
      return value;
    }
    const obj = value as Record<string, unknown>;
    for (const k in obj) {
      const v = obj[k];
      if (typeof v === "object" || typeof v === "string") obj[k] = this.internAll(v);
    }
    return value;
  }
}

/** Longer strings (annotations, certificates) are rarely repeated and not worth the lookup. */
const maxPooledLength = 128;
