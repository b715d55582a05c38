/**
 * The in-memory Store: the reference implementation of the contract, used by unit tests.
 * It keeps every version of every key until compaction, like the real backends.
 */
import { type Clock, realClock, type Timer } from "../../machinery/clock.ts";
import {
  alreadyExists,
  compacted,
  conflict,
  invalidArgument,
  notFound,
  StoreError,
} from "../errors.ts";
import { compareKeys, decodeContinue, encodeContinue, keyAfter } from "../keys.ts";
import type {
  DeleteOptions,
  GetOptions,
  KeyValue,
  ListOptions,
  ListResult,
  Store,
  Watch,
  WatchEvent,
  WatchOptions,
  WriteOptions,
} from "../store.ts";
import { WatchChannel } from "../watch-channel.ts";

interface Version {
  kv: KeyValue;
  deleted: boolean;
}

interface Lease {
  ttlMs: number;
  expiresAt: number;
  keys: Set<string>;
}

export interface MemoryStoreOptions {
  readonly clock?: Clock;
  /** How often expired leases are looked for. */
  readonly leaseCheckMs?: number;
}

export class MemoryStore implements Store {
  #revision = 0;
  #compactRevision = 0;
  #versions = new Map<string, Version[]>();
  #sortedKeys: string[] = [];
  #events: WatchEvent[] = [];
  #watchers = new Set<{ prefix: string; channel: WatchChannel }>();
  #leases = new Map<number, Lease>();
  #nextLease = 1;
  #clock: Clock;
  #leaseCheckMs: number;
  #leaseTimer: Timer | undefined;
  #closed = false;

  constructor(options: MemoryStoreOptions = {}) {
    this.#clock = options.clock ?? realClock;
    this.#leaseCheckMs = options.leaseCheckMs ?? 500;
    this.#scheduleLeaseCheck();
  }

  async get(key: string, options: GetOptions = {}): Promise<KeyValue> {
    this.#checkOpen();
    const rev = this.#readRevision(options.revision);
    const v = this.#versionAt(key, rev);
    if (!v || v.deleted) throw notFound(key);
    return v.kv;
  }

  async list(prefix: string, options: ListOptions = {}): Promise<ListResult> {
    this.#checkOpen();
    let rev: number;
    let start = prefix;
    if (options.continue) {
      const token = decodeContinue(options.continue, prefix);
      rev = this.#readRevision(token.revision);
      start = token.start;
    } else {
      rev = this.#readRevision(options.revision);
    }
    const limit = options.limit && options.limit > 0 ? options.limit : Infinity;
    const items: KeyValue[] = [];
    let i = lowerBound(this.#sortedKeys, start);
    for (; i < this.#sortedKeys.length; i++) {
      const key = this.#sortedKeys[i]!;
      if (!key.startsWith(prefix)) break;
      const v = this.#versionAt(key, rev);
      if (!v || v.deleted) continue;
      if (items.length === limit) {
        const last = items[items.length - 1]!;
        return { items, revision: rev, continue: encodeContinue(rev, keyAfter(last.key), prefix) };
      }
      items.push(v.kv);
    }
    return { items, revision: rev };
  }

  async count(prefix: string): Promise<number> {
    return (await this.list(prefix)).items.length;
  }

  async create(key: string, value: Uint8Array, options: WriteOptions = {}): Promise<KeyValue> {
    this.#checkOpen();
    const current = this.#latest(key);
    if (current && !current.deleted) throw alreadyExists(key);
    const lease = this.#leaseFor(options.lease);
    const rev = this.#revision + 1;
    const kv: KeyValue = { key, value: copy(value), createRevision: rev, modRevision: rev, lease };
    this.#apply(key, { kv, deleted: false }, { type: "create", kv });
    return kv;
  }

  async update(
    key: string,
    value: Uint8Array,
    expectedRevision: number,
    options: WriteOptions = {},
  ): Promise<KeyValue> {
    this.#checkOpen();
    const current = this.#latest(key);
    if (!current || current.deleted) throw notFound(key);
    if (current.kv.modRevision !== expectedRevision) throw conflict(key, current.kv);
    const lease = this.#leaseFor(options.lease);
    const rev = this.#revision + 1;
    const kv: KeyValue = {
      key,
      value: copy(value),
      createRevision: current.kv.createRevision,
      modRevision: rev,
      lease,
    };
    this.#apply(key, { kv, deleted: false }, { type: "update", kv, prev: current.kv });
    return kv;
  }

  async delete(key: string, options: DeleteOptions = {}): Promise<KeyValue> {
    this.#checkOpen();
    const current = this.#latest(key);
    if (!current || current.deleted) throw notFound(key);
    if (
      options.expectedRevision !== undefined &&
      current.kv.modRevision !== options.expectedRevision
    ) {
      throw conflict(key, current.kv);
    }
    this.#deleteNow(key, current.kv);
    return current.kv;
  }

  watch(prefix: string, options: WatchOptions): Watch {
    const channel: WatchChannel = new WatchChannel({
      signal: options.signal,
      onClose: () => this.#watchers.delete(entry),
      progressNotify: options.progressNotify,
      onRequestProgress: () => channel.push({ type: "progress", revision: this.#revision }),
    });
    const entry = { prefix, channel };
    if (this.#closed) {
      channel.fail(new StoreError("Unavailable", "store is closed"));
      return channel;
    }
    if (options.afterRevision < this.#compactRevision) {
      channel.fail(compacted(options.afterRevision, this.#compactRevision));
      return channel;
    }
    for (const ev of this.#events) {
      if (ev.kv.modRevision > options.afterRevision && ev.kv.key.startsWith(prefix))
        channel.push(ev);
    }
    this.#watchers.add(entry);
    return channel;
  }

  async compact(revision: number): Promise<void> {
    this.#checkOpen();
    if (revision <= this.#compactRevision) return;
    if (revision > this.#revision) {
      throw invalidArgument(`cannot compact to ${revision}: newer than current ${this.#revision}`);
    }
    for (const [key, versions] of this.#versions) {
      let keepFrom = 0;
      for (let i = versions.length - 1; i >= 0; i--) {
        if (versions[i]!.kv.modRevision <= revision) {
          keepFrom = versions[i]!.deleted ? i + 1 : i;
          break;
        }
      }
      const kept = versions.slice(keepFrom);
      if (kept.length === 0) {
        this.#versions.delete(key);
        this.#sortedKeys.splice(lowerBound(this.#sortedKeys, key), 1);
      } else {
        this.#versions.set(key, kept);
      }
    }
    this.#events = this.#events.filter((e) => e.kv.modRevision > revision);
    this.#compactRevision = revision;
  }

  async currentRevision(): Promise<number> {
    this.#checkOpen();
    return this.#revision;
  }

  async grantLease(ttlSeconds: number): Promise<number> {
    this.#checkOpen();
    if (!(ttlSeconds > 0)) throw invalidArgument("lease TTL must be positive");
    const id = this.#nextLease++;
    const ttlMs = ttlSeconds * 1000;
    this.#leases.set(id, { ttlMs, expiresAt: this.#clock.now() + ttlMs, keys: new Set() });
    return id;
  }

  async keepAliveLease(id: number): Promise<void> {
    this.#checkOpen();
    const lease = this.#leases.get(id);
    if (!lease) throw notFound(`lease ${id}`);
    lease.expiresAt = this.#clock.now() + lease.ttlMs;
  }

  async revokeLease(id: number): Promise<void> {
    this.#checkOpen();
    const lease = this.#leases.get(id);
    if (!lease) throw notFound(`lease ${id}`);
    this.#expire(id, lease);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#leaseTimer?.cancel();
    for (const w of [...this.#watchers]) w.channel.end();
  }

  #checkOpen(): void {
    if (this.#closed) throw new StoreError("Unavailable", "store is closed");
  }

  #readRevision(requested: number | undefined): number {
    if (!requested) return this.#revision;
    if (requested < this.#compactRevision) throw compacted(requested, this.#compactRevision);
    if (requested > this.#revision) {
      throw invalidArgument(`revision ${requested} is in the future (current ${this.#revision})`);
    }
    return requested;
  }

  #latest(key: string): Version | undefined {
    const versions = this.#versions.get(key);
    return versions?.[versions.length - 1];
  }

  #versionAt(key: string, rev: number): Version | undefined {
    const versions = this.#versions.get(key);
    if (!versions) return undefined;
    for (let i = versions.length - 1; i >= 0; i--) {
      if (versions[i]!.kv.modRevision <= rev) return versions[i];
    }
    return undefined;
  }

  #leaseFor(id: number | undefined): number {
    if (!id) return 0;
    if (!this.#leases.has(id)) throw invalidArgument(`lease ${id} not found`);
    return id;
  }

  #apply(key: string, version: Version, event: WatchEvent): void {
    this.#revision = version.kv.modRevision;
    let versions = this.#versions.get(key);
    if (!versions) {
      versions = [];
      this.#versions.set(key, versions);
      this.#sortedKeys.splice(lowerBound(this.#sortedKeys, key), 0, key);
    }
    const prevLease = versions[versions.length - 1]?.kv.lease ?? 0;
    if (prevLease) this.#leases.get(prevLease)?.keys.delete(key);
    if (!version.deleted && version.kv.lease) this.#leases.get(version.kv.lease)?.keys.add(key);
    versions.push(version);
    this.#events.push(event);
    for (const w of this.#watchers) {
      if (key.startsWith(w.prefix)) w.channel.push(event);
      else if (w.channel.wantsProgress)
        w.channel.push({ type: "progress", revision: this.#revision });
    }
  }

  #deleteNow(key: string, prev: KeyValue): void {
    const rev = this.#revision + 1;
    const kv: KeyValue = {
      key,
      value: new Uint8Array(0),
      createRevision: prev.createRevision,
      modRevision: rev,
      lease: 0,
    };
    this.#apply(key, { kv, deleted: true }, { type: "delete", kv, prev });
  }

  #expire(id: number, lease: Lease): void {
    this.#leases.delete(id);
    for (const key of [...lease.keys].sort(compareKeys)) {
      const current = this.#latest(key);
      if (current && !current.deleted) this.#deleteNow(key, current.kv);
    }
  }

  #scheduleLeaseCheck(): void {
    this.#leaseTimer = this.#clock.after(this.#leaseCheckMs, () => {
      if (this.#closed) return;
      const now = this.#clock.now();
      for (const [id, lease] of [...this.#leases])
        if (lease.expiresAt <= now) this.#expire(id, lease);
      this.#scheduleLeaseCheck();
    });
  }
}

function copy(value: Uint8Array): Uint8Array {
  return new Uint8Array(value);
}

function lowerBound(keys: string[], key: string): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareKeys(keys[mid]!, key) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
