/**
 * A cache of forwarded answers (CoreDNS `cache 30`): responses are kept as bytes for the smallest
 * TTL of their answers, or for a negative answer the SOA's negative TTL (RFC 2308), capped at
 * `maxTtlSeconds`; a hit is served with every TTL lowered by the time it has spent in the cache.
 * Truncated answers, answers with a TTL of 0 and failures are not kept.
 */
import type { Clock } from "../machinery/clock.ts";
import { skipName } from "./decode.ts";
import { Rcode, RRType } from "./message.ts";

export interface ScannedResponse {
  readonly rcode: number;
  readonly truncated: boolean;
  /** Offsets of every record's TTL field (the OPT record excluded). */
  readonly ttlOffsets: readonly number[];
  /** Seconds the response may be cached, or 0. */
  readonly cacheSeconds: number;
}

/** Reads what caching needs from a response without decoding it. */
export function scanResponse(buf: Buffer): ScannedResponse {
  const rcode = buf[3]! & 15;
  const truncated = (buf[2]! & 2) !== 0;
  const counts = [buf.readUInt16BE(6), buf.readUInt16BE(8), buf.readUInt16BE(10)];
  let pos = 12;
  for (let i = 0; i < buf.readUInt16BE(4); i++) pos = skipName(buf, pos) + 4;
  const ttlOffsets: number[] = [];
  let minAnswerTtl = Number.POSITIVE_INFINITY;
  let negativeTtl = Number.POSITIVE_INFINITY;
  for (let s = 0; s < 3; s++) {
    for (let i = 0; i < counts[s]!; i++) {
      pos = skipName(buf, pos);
      if (pos + 10 > buf.length) throw new RangeError("response ends early");
      const type = buf.readUInt16BE(pos);
      const ttl = buf.readUInt32BE(pos + 4);
      const rdlength = buf.readUInt16BE(pos + 8);
      if (type !== RRType.OPT) ttlOffsets.push(pos + 4);
      if (s === 0) minAnswerTtl = Math.min(minAnswerTtl, ttl);
      if (s === 1 && type === RRType.SOA && rdlength >= 22) {
        const minimum = buf.readUInt32BE(pos + 10 + rdlength - 4);
        negativeTtl = Math.min(negativeTtl, ttl, minimum);
      }
      pos += 10 + rdlength;
    }
  }
  const answered = counts[0]! > 0;
  let cacheSeconds = 0;
  if (!truncated && rcode === Rcode.NoError && answered) cacheSeconds = minAnswerTtl;
  else if (!truncated && (rcode === Rcode.NXDomain || rcode === Rcode.NoError)) {
    cacheSeconds = Number.isFinite(negativeTtl) ? negativeTtl : 0;
  }
  return { rcode, truncated, ttlOffsets, cacheSeconds };
}

interface Entry {
  readonly bytes: Buffer;
  readonly ttlOffsets: readonly number[];
  readonly storedAt: number;
  readonly seconds: number;
}

export interface ResponseCacheOptions {
  readonly clock: Clock;
  /** Upper bound of any entry's life (CoreDNS `cache 30`). */
  readonly maxTtlSeconds?: number;
  /** Entries kept at most; the oldest go first. */
  readonly capacity?: number;
}

export class ResponseCache {
  readonly #clock: Clock;
  readonly #max: number;
  readonly #capacity: number;
  readonly #entries = new Map<string, Entry>();
  hits = 0;
  misses = 0;

  constructor(o: ResponseCacheOptions) {
    this.#clock = o.clock;
    this.#max = o.maxTtlSeconds ?? 30;
    this.#capacity = o.capacity ?? 10_000;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** A copy of the cached response for `key` with the id `id` and TTLs aged, or undefined. */
  get(key: string, id: number): Buffer | undefined {
    const e = this.#entries.get(key);
    if (!e) {
      this.misses++;
      return undefined;
    }
    const age = Math.floor((this.#clock.now() - e.storedAt) / 1000);
    if (age >= e.seconds) {
      this.#entries.delete(key);
      this.misses++;
      return undefined;
    }
    this.hits++;
    const out = Buffer.from(e.bytes);
    out.writeUInt16BE(id, 0);
    const remaining = e.seconds - age;
    for (const off of e.ttlOffsets) out.writeUInt32BE(remaining, off);
    return out;
  }

  /** Keeps `response` under `key` if it may be cached. */
  put(key: string, response: Buffer): void {
    let scanned: ScannedResponse;
    try {
      scanned = scanResponse(response);
    } catch {
      return;
    }
    const seconds = Math.min(scanned.cacheSeconds, this.#max);
    if (seconds <= 0) return;
    if (this.#entries.size >= this.#capacity && !this.#entries.has(key)) {
      const oldest = this.#entries.keys().next();
      if (!oldest.done) this.#entries.delete(oldest.value);
    }
    this.#entries.delete(key);
    this.#entries.set(key, {
      bytes: Buffer.from(response),
      ttlOffsets: scanned.ttlOffsets,
      storedAt: this.#clock.now(),
      seconds,
    });
  }
}
