/**
 * The watch cache of one resource (upstream `cacher`): every current object, serialized once,
 * plus a window of recent events, kept current by one Store watch. Lists and watches are served
 * from it, so the Store sees one watch per resource however many clients watch.
 *
 * Objects are kept as the JSON the API returns (resourceVersion included), in UTF-8 bytes as they
 * are written to sockets, with their labels and selectable fields, so a list is a concatenation and
 * a watch event is serialized once for every watcher. Bytes rather than strings: an object the
 * server wrote is cached from its stored bytes without decoding them, responses need no encoding,
 * and the bulk of the cache (150 MiB of 30,000 pods) lies outside the JavaScript heap, so V8 does
 * not size its heap's headroom by it.
 */
import type { KubeObject } from "../../api/object.ts";
import { type Clock, realClock } from "../../machinery/clock.ts";
import type { Logger } from "../../machinery/log.ts";
import { isStoreError } from "../../storage/errors.ts";
import type { KeyValue, WatchEvent as StoreEvent, Watch } from "../../storage/store.ts";
import { type Selection, selectionOf } from "../handlers/selectors.ts";
import type { GenericRegistry } from "../registry/generic-registry.ts";
import { CacheWatcher } from "./cache-watcher.ts";

export interface CachedObject extends Selection {
  readonly key: string;
  readonly namespace: string;
  readonly revision: number;
  /** The object as served, resourceVersion included: JSON in UTF-8. */
  readonly bytes: Uint8Array;
}

export type CacheEventType = "ADDED" | "MODIFIED" | "DELETED";

export interface CacheEvent {
  readonly type: CacheEventType;
  readonly revision: number;
  /** When the cache saw it (clock milliseconds), for the window's freshness. */
  readonly seen: number;
  readonly object: CachedObject;
  /**
   * The labels and selectable fields of the object before the change (for selector
   * transitions); not the object itself, so a window of events does not keep old versions.
   */
  readonly previous: Selection | undefined;
}

export interface WatchCacheOptions {
  readonly registry: GenericRegistry;
  readonly log: Logger;
  /**
   * At most this many events are kept for watchers that start in the recent past (default
   * 10,000); events older than `freshMs` (default 75 s, upstream's eventFreshDuration) go
   * once more than `minEvents` (default 100, upstream's lower bound) are kept.
   */
  readonly capacity?: number;
  readonly freshMs?: number;
  readonly minEvents?: number;
  readonly clock?: Clock;
  /** Selectable fields to index (e.g. spec.nodeName for pods), for `byField`. */
  readonly indexFields?: readonly string[];
}

/** Decoded objects, made on demand and dropped with the cached entry they belong to. */
const decoded = new WeakMap<CachedObject, KubeObject>();
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A fresh decoded copy of a cached object (the caller may change it). */
export function parseCached(cached: CachedObject): KubeObject {
  return JSON.parse(decoder.decode(cached.bytes)) as KubeObject;
}

function selectionPart(obj: CachedObject): Selection {
  return { labels: obj.labels, fields: obj.fields };
}

export class WatchCache {
  readonly registry: GenericRegistry;
  readonly #log: Logger;
  readonly #capacity: number;
  readonly #freshMs: number;
  readonly #minEvents: number;
  readonly #clock: Clock;
  #objects = new Map<string, CachedObject>();
  #sorted: string[] | undefined;
  /** The window of recent events: `#events` from index `#head` on (trimmed from the front). */
  #events: CacheEvent[] = [];
  #head = 0;
  /** Every event after this revision is in the window. */
  #windowStart = 0;
  #revision = 0;
  #ready = false;
  /** Counts changes of the content or readiness (see `changes`). */
  #changes = 0;
  #waiters: Array<{ revision: number; wake: () => void }> = [];
  /** Watchers every event is offered to. */
  readonly #watchers = new Set<CacheWatcher>();
  /**
   * Watchers whose field selector pins an indexed field (a kubelet's `spec.nodeName=`), by field
   * and value: an event is offered only to those of its old and new values, not to every node's
   * watch (upstream's watch-cache triggers).
   */
  readonly #triggered = new Map<string, Map<string, Set<CacheWatcher>>>();
  #watch: Watch | undefined;
  readonly #indexFields: readonly string[];
  #indexes = new Map<string, Map<string, Set<string>>>();

  constructor(options: WatchCacheOptions) {
    this.registry = options.registry;
    this.#log = options.log.with({ resource: options.registry.definition.plural });
    this.#capacity = options.capacity ?? 10_000;
    this.#freshMs = options.freshMs ?? 75_000;
    this.#minEvents = options.minEvents ?? 100;
    this.#clock = options.clock ?? realClock;
    this.#indexFields = options.indexFields ?? [];
  }

  /** The object a cached entry holds, decoded once. Treat it as read-only. */
  static objectOf(cached: CachedObject): KubeObject {
    let obj = decoded.get(cached);
    if (!obj) {
      obj = parseCached(cached);
      decoded.set(cached, obj);
    }
    return obj;
  }

  /** Current objects whose selectable `field` equals `value` (field must be indexed). */
  byField(field: string, value: string): CachedObject[] {
    const keys = this.#indexes.get(field)?.get(value);
    return keys ? [...keys].flatMap((k) => this.#objects.get(k) ?? []) : [];
  }

  /** The first of `pinned`'s fields (a selector's `field=value` terms) that `byField` answers. */
  pinnedIndex(
    pinned: Readonly<Record<string, string>> | undefined,
  ): readonly [field: string, value: string] | undefined {
    if (!pinned) return undefined;
    const field = this.#indexFields.find((f) => Object.hasOwn(pinned, f));
    return field === undefined ? undefined : [field, pinned[field]!];
  }

  #index(key: string, before: CachedObject | undefined, after: CachedObject | undefined): void {
    for (const field of this.#indexFields) {
      const old = before?.fields[field];
      const now = after?.fields[field];
      if (old === now) continue;
      let byValue = this.#indexes.get(field);
      if (!byValue) {
        byValue = new Map();
        this.#indexes.set(field, byValue);
      }
      if (old !== undefined) byValue.get(old)?.delete(key);
      if (now !== undefined) {
        let keys = byValue.get(now);
        if (!keys) {
          keys = new Set();
          byValue.set(now, keys);
        }
        keys.add(key);
      }
    }
  }

  get ready(): boolean {
    return this.#ready;
  }

  /**
   * A number that grows whenever what the cache holds, or whether it is ready, changes (unlike
   * `revision`, which progress notices advance too): what derived state is keyed on.
   */
  get changes(): number {
    return this.#changes;
  }

  /** The revision the cache reflects. */
  get revision(): number {
    return this.#revision;
  }

  get size(): number {
    return this.#objects.size;
  }

  /** Fills the cache and keeps it current until `signal` aborts; relists when it falls behind. */
  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        await this.#fill();
        await this.#follow(signal);
      } catch (err) {
        if (signal.aborted) break;
        this.#log.warn("watch cache reset", { err });
        this.#ready = false;
        this.#changes++;
        await new Promise((r) => setTimeout(r, isStoreError(err, "Compacted") ? 0 : 1000));
      }
    }
    this.#ready = false;
    this.#changes++;
    for (const w of this.#allWatchers()) w.end();
  }

  async #fill(): Promise<void> {
    const store = this.registry.store;
    const prefix = this.registry.prefix("");
    const objects = new Map<string, CachedObject>();
    let page = await store.list(prefix, { limit: 1000 });
    for (;;) {
      for (const kv of page.items)
        objects.set(kv.key, this.#toCached(kv, this.registry.fromStored(kv)));
      if (!page.continue) break;
      page = await store.list(prefix, { limit: 1000, continue: page.continue });
    }
    this.#objects = objects;
    this.#indexes = new Map();
    for (const [key, obj] of objects) this.#index(key, undefined, obj);
    this.#sorted = undefined;
    this.#events = [];
    this.#head = 0;
    this.#revision = page.revision;
    this.#windowStart = page.revision;
    this.#ready = true;
    this.#changes++;
    // Watchers from before a reset cannot be told what they missed.
    for (const w of this.#allWatchers()) w.expire(this.#windowStart);
    this.#wakeWaiters();
  }

  async #follow(signal: AbortSignal): Promise<void> {
    const watch = this.registry.store.watch(this.registry.prefix(""), {
      afterRevision: this.#revision,
      signal,
      progressNotify: true,
    });
    this.#watch = watch;
    try {
      for await (const ev of watch) {
        if (ev.type === "progress") this.#advance(ev.revision);
        else this.#apply(ev);
      }
    } finally {
      this.#watch = undefined;
    }
  }

  #toCached(kv: KeyValue, obj: KubeObject): CachedObject {
    const def = this.registry.definition;
    return {
      key: kv.key,
      namespace: obj.metadata?.namespace ?? "",
      revision: kv.modRevision,
      bytes: encoder.encode(JSON.stringify(obj)),
      ...selectionOf(def, obj),
    };
  }

  /** A write of this server's registry, cached without decoding it (see `written`). */
  #fromWrite(kv: KeyValue): CachedObject | undefined {
    const known = this.registry.written(kv);
    const bytes = known && this.registry.servedBytes(kv);
    if (!known || bytes === undefined) return undefined;
    const { namespace, labels, fields } = known;
    return { key: kv.key, namespace, revision: kv.modRevision, bytes, labels, fields };
  }

  #apply(ev: StoreEvent): void {
    this.#changes++;
    const revision = ev.kv.modRevision;
    const seen = this.#clock.now();
    const previous = this.#objects.get(ev.kv.key);
    let event: CacheEvent;
    if (ev.type === "delete") {
      if (!previous) {
        this.#advance(revision);
        return;
      }
      const last = this.registry.fromStored(ev.prev ?? { ...ev.kv, value: previous.bytes });
      last.metadata!.resourceVersion = String(revision);
      const object = this.#toCached({ ...ev.kv, modRevision: revision }, last);
      this.#objects.delete(ev.kv.key);
      this.#index(ev.kv.key, previous, undefined);
      this.#sorted = undefined;
      event = { type: "DELETED", revision, seen, object, previous: selectionPart(previous) };
    } else {
      const object =
        this.#fromWrite(ev.kv) ?? this.#toCached(ev.kv, this.registry.fromStored(ev.kv));
      if (!previous) this.#sorted = undefined;
      this.#objects.set(ev.kv.key, object);
      this.#index(ev.kv.key, previous, object);
      event = {
        type: previous ? "MODIFIED" : "ADDED",
        revision,
        seen,
        object,
        previous: previous && selectionPart(previous),
      };
    }
    this.#events.push(event);
    this.#trimWindow(seen);
    for (const w of this.#watchers) w.offer(event);
    for (const [field, byValue] of this.#triggered) {
      const now = event.object.fields[field];
      const before = event.previous?.fields[field];
      if (now !== undefined) for (const w of byValue.get(now) ?? []) w.offer(event);
      if (before !== undefined && before !== now) {
        for (const w of byValue.get(before) ?? []) w.offer(event);
      }
    }
    this.#advance(revision);
  }

  /**
   * Drops the events beyond capacity and, above the minimum, those no longer fresh. The array is
   * compacted only once half of it is dropped: slicing a full window on every event copied
   * 10,000 entries per write.
   */
  #trimWindow(now: number): void {
    const events = this.#events;
    let head = Math.max(this.#head, events.length - this.#capacity);
    while (events.length - head > this.#minEvents && now - events[head]!.seen > this.#freshMs) {
      head++;
    }
    if (head === this.#head) return;
    this.#windowStart = events[head - 1]!.revision;
    if (head * 2 >= events.length) {
      this.#events = events.slice(head);
      this.#head = 0;
    } else {
      // The dropped entries stop holding their objects until the array is compacted.
      events.fill(undefined as unknown as CacheEvent, this.#head, head);
      this.#head = head;
    }
  }

  #advance(revision: number): void {
    this.#revision = Math.max(this.#revision, revision);
    this.#wakeWaiters();
  }

  #wakeWaiters(): void {
    if (!this.#ready) return;
    const due = this.#waiters.filter((w) => w.revision <= this.#revision);
    this.#waiters = this.#waiters.filter((w) => w.revision > this.#revision);
    for (const w of due) w.wake();
  }

  /**
   * Resolves true once the cache reflects `revision`, false after `timeoutMs`. Asks the Store
   * for a progress notice, since the revision may have moved by writes to other resources.
   */
  waitFor(revision: number, timeoutMs: number): Promise<boolean> {
    if (this.#ready && this.#revision >= revision) return Promise.resolve(true);
    this.#watch?.requestProgress();
    return new Promise((resolve) => {
      const entry = { revision, wake: () => resolve(true) };
      this.#waiters.push(entry);
      setTimeout(() => {
        const i = this.#waiters.indexOf(entry);
        if (i >= 0) {
          this.#waiters.splice(i, 1);
          resolve(false);
        }
      }, timeoutMs).unref();
    });
  }

  /** The current object at a Store key, if the cache holds it. */
  getByKey(key: string): CachedObject | undefined {
    return this.#ready ? this.#objects.get(key) : undefined;
  }

  /** Current objects of one namespace ("" for all), in key order. */
  snapshot(namespace: string): CachedObject[] {
    this.#sorted ??= [...this.#objects.keys()].sort();
    const prefix = this.registry.prefix(namespace);
    const out: CachedObject[] = [];
    for (const key of this.#sorted) {
      if (key.startsWith(prefix)) out.push(this.#objects.get(key)!);
    }
    return out;
  }

  /** Whether a watch from `afterRevision` (0: from the current state) can be served. */
  covers(afterRevision: number): boolean {
    return this.#ready && (afterRevision === 0 || afterRevision >= this.#windowStart);
  }

  /**
   * A watcher receiving events after `afterRevision` (0: the current objects as ADDED first), or
   * undefined when the window no longer covers that revision.
   */
  watch(
    namespace: string,
    afterRevision: number,
    options: {
      matches?: (s: Selection) => boolean;
      /** The fields `matches` pins to one value (`compileSelection`): an indexed one is a trigger. */
      exactFields?: Readonly<Record<string, string>> | undefined;
    },
  ) {
    if (!this.covers(afterRevision)) return undefined;
    const prefix = this.registry.prefix(namespace);
    const trigger = this.pinnedIndex(options.exactFields);
    const group = trigger ? this.#triggerGroup(...trigger) : this.#watchers;
    const watcher = new CacheWatcher({
      prefix,
      ...(options.matches ? { matches: options.matches } : {}),
      onClose: () => {
        group.delete(watcher);
        if (trigger && group.size === 0) this.#triggered.get(trigger[0])?.delete(trigger[1]);
      },
      after: afterRevision === 0 ? this.#revision : afterRevision,
    });
    if (afterRevision === 0) {
      for (const object of this.snapshot(namespace)) watcher.offerInitial(object);
    } else {
      const events = this.#events;
      for (let i = this.#head; i < events.length; i++) {
        const ev = events[i]!;
        if (ev.revision > afterRevision) watcher.offer(ev);
      }
    }
    group.add(watcher);
    return watcher;
  }

  #triggerGroup(field: string, value: string): Set<CacheWatcher> {
    let byValue = this.#triggered.get(field);
    if (!byValue) {
      byValue = new Map();
      this.#triggered.set(field, byValue);
    }
    let group = byValue.get(value);
    if (!group) {
      group = new Set();
      byValue.set(value, group);
    }
    return group;
  }

  *#allWatchers(): Iterable<CacheWatcher> {
    yield* [...this.#watchers];
    for (const byValue of this.#triggered.values()) {
      for (const group of byValue.values()) yield* [...group];
    }
  }
}
