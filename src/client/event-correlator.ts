/**
 * Upstream's event correlator (client-go `tools/record/events_cache.go`), which decides what an
 * event recorder writes:
 * - aggregation: once a source has recorded 10 events with different messages but the same
 *   object, type and reason within 10 minutes, further ones become one event whose message is
 *   "(combined from similar events): <latest message>" and whose count grows;
 * - deduplication: an event equal to one already written (same key, message included) bumps that
 *   event's count and lastTimestamp instead of creating another;
 * - spam filter: each (source, object) may write 25 events in a burst, refilled at one per five
 *   minutes; events beyond that are dropped.
 * So a ReplicaSet creating 10,000 pods writes a couple of dozen events, not 10,000. Caches are
 * LRU-bounded (4,096 entries). Time comes from the caller (an injected clock).
 */

export interface CorrelatedEvent {
  readonly namespace: string;
  /** Kind, namespace, name, uid and apiVersion of the involved object, plus source parts. */
  readonly objectKey: string;
  readonly type: string;
  readonly reason: string;
  readonly message: string;
}

export type Correlation =
  | { readonly action: "skip" }
  | { readonly action: "create"; readonly key: string; readonly message: string }
  | {
      readonly action: "patch";
      readonly key: string;
      readonly message: string;
      readonly name: string;
      readonly count: number;
      readonly firstTimestamp: string;
    };

export const maxLruCacheEntries = 4096;
const aggregateMaxEvents = 10;
const aggregateIntervalMs = 600_000;
const spamBurst = 25;
const spamQps = 1 / 300;

/** A Map that forgets its least recently used entry beyond `max`. */
class Lru<K, V> {
  readonly #map = new Map<K, V>();
  readonly #max: number;
  constructor(max: number) {
    this.#max = max;
  }
  get(key: K): V | undefined {
    const v = this.#map.get(key);
    if (v !== undefined) {
      this.#map.delete(key);
      this.#map.set(key, v);
    }
    return v;
  }
  set(key: K, value: V): void {
    this.#map.delete(key);
    this.#map.set(key, value);
    if (this.#map.size > this.#max) this.#map.delete(this.#map.keys().next().value as K);
  }
  delete(key: K): void {
    this.#map.delete(key);
  }
}

interface Observed {
  name: string;
  count: number;
  firstTimestamp: string;
}

export class EventCorrelator {
  readonly #aggregates = new Lru<string, { messages: Set<string>; last: number }>(
    maxLruCacheEntries,
  );
  readonly #observed = new Lru<string, Observed>(maxLruCacheEntries);
  readonly #spam = new Lru<string, { tokens: number; at: number }>(maxLruCacheEntries);

  /** What to write for `e` at `now` (ms). Call `created` once a create has given it a name. */
  correlate(e: CorrelatedEvent, now: number): Correlation {
    const aggregateKey = `${e.objectKey}/${e.type}/${e.reason}`;
    let key = `${aggregateKey}/${e.message}`;
    let message = e.message;
    const record = this.#aggregates.get(aggregateKey);
    const messages =
      record && now - record.last <= aggregateIntervalMs ? record.messages : new Set<string>();
    messages.add(e.message);
    if (messages.size >= aggregateMaxEvents) {
      const first = messages.values().next().value as string;
      messages.delete(first === e.message ? [...messages][1]! : first);
      key = aggregateKey;
      message = `(combined from similar events): ${e.message}`;
    }
    this.#aggregates.set(aggregateKey, { messages, last: now });
    if (!this.#allow(e.objectKey, now)) return { action: "skip" };
    const seen = this.#observed.get(key);
    if (!seen) return { action: "create", key, message };
    seen.count++;
    return { action: "patch", key, message, ...seen };
  }

  /** Records the name an event was created under, so repeats patch it. */
  created(key: string, name: string, firstTimestamp: string): void {
    this.#observed.set(key, { name, count: 1, firstTimestamp });
  }

  /** The event was gone when patched (its TTL ran out): the next repeat creates it anew. */
  forget(key: string): void {
    this.#observed.delete(key);
  }

  /** The spam filter's token bucket for one (source, object). */
  #allow(spamKey: string, now: number): boolean {
    const bucket = this.#spam.get(spamKey) ?? { tokens: spamBurst, at: now };
    bucket.tokens = Math.min(spamBurst, bucket.tokens + ((now - bucket.at) / 1000) * spamQps);
    bucket.at = now;
    const ok = bucket.tokens >= 1;
    if (ok) bucket.tokens -= 1;
    this.#spam.set(spamKey, bucket);
    return ok;
  }
}
