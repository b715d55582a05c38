/**
 * One backend watch per prefix, shared by every watcher of that prefix.
 *
 * The shared watch keeps a window of its most recent events, so a watcher that starts from a
 * revision the window covers is served from memory; one that starts further back gets a watch of
 * its own from the backend (which replays history or reports Compacted).
 */
import type { Store, Watch, WatchEvent, WatchOptions } from "./store.ts";
import { WatchChannel } from "./watch-channel.ts";

interface Subscriber {
  afterRevision: number;
  channel: WatchChannel;
}

/** The shared backend watch always asks for progress; subscribers that want it get it. */

class SharedWatch {
  readonly subscribers = new Set<Subscriber>();
  /** Every event on the prefix with a revision above `windowFrom` is in `window`. */
  windowFrom: number;
  window: WatchEvent[] = [];
  #backend: Watch;
  #capacity: number;

  constructor(backend: Watch, from: number, capacity: number, onDone: () => void) {
    this.#backend = backend;
    this.windowFrom = from;
    this.#capacity = capacity;
    void this.#pump(onDone);
  }

  async #pump(onDone: () => void): Promise<void> {
    try {
      for await (const ev of this.#backend) {
        if (ev.type === "progress") {
          for (const s of this.subscribers) s.channel.push(ev);
          continue;
        }
        this.window.push(ev);
        if (this.window.length > this.#capacity) {
          const dropped = this.window.splice(0, this.window.length - this.#capacity);
          this.windowFrom = dropped[dropped.length - 1]!.kv.modRevision;
        }
        for (const s of this.subscribers) {
          if (ev.kv.modRevision > s.afterRevision) s.channel.push(ev);
        }
      }
      onDone();
      for (const s of this.subscribers) s.channel.end();
    } catch (err) {
      onDone();
      for (const s of this.subscribers) s.channel.fail(err);
    }
  }

  requestProgress(): void {
    this.#backend.requestProgress();
  }

  close(): void {
    this.#backend.close();
  }
}

export interface WatchFanoutOptions {
  /** Events each shared watch keeps for late joiners. */
  readonly windowSize?: number;
}

export class WatchFanout {
  #store: Pick<Store, "watch">;
  #shared = new Map<string, SharedWatch>();
  #windowSize: number;

  constructor(store: Pick<Store, "watch">, options: WatchFanoutOptions = {}) {
    this.#store = store;
    this.#windowSize = options.windowSize ?? 4096;
  }

  /** Number of backend watches open, for tests and metrics. */
  get backendWatches(): number {
    return this.#shared.size;
  }

  watch(prefix: string, options: WatchOptions): Watch {
    let shared = this.#shared.get(prefix);
    if (shared && options.afterRevision < shared.windowFrom) {
      return this.#store.watch(prefix, options);
    }
    if (!shared) {
      const backend = this.#store.watch(prefix, {
        afterRevision: options.afterRevision,
        progressNotify: true,
      });
      const created: SharedWatch = new SharedWatch(
        backend,
        options.afterRevision,
        this.#windowSize,
        () => {
          if (this.#shared.get(prefix) === created) this.#shared.delete(prefix);
        },
      );
      shared = created;
      this.#shared.set(prefix, shared);
    }
    const owner = shared;
    const subscriber: Subscriber = {
      afterRevision: options.afterRevision,
      channel: new WatchChannel({
        signal: options.signal,
        progressNotify: options.progressNotify,
        onRequestProgress: () => owner.requestProgress(),
        onClose: () => {
          owner.subscribers.delete(subscriber);
          if (owner.subscribers.size === 0) {
            if (this.#shared.get(prefix) === owner) this.#shared.delete(prefix);
            owner.close();
          }
        },
      }),
    };
    for (const ev of owner.window) {
      if (ev.kv.modRevision > options.afterRevision) subscriber.channel.push(ev);
    }
    owner.subscribers.add(subscriber);
    return subscriber.channel;
  }
}

/** Wraps a store so that its watches go through one shared backend watch per prefix. */
export function withWatchFanout(store: Store, options: WatchFanoutOptions = {}): Store {
  const fanout = new WatchFanout(store, options);
  return {
    get: (key, o) => store.get(key, o),
    list: (prefix, o) => store.list(prefix, o),
    count: (prefix) => store.count(prefix),
    create: (key, value, o) => store.create(key, value, o),
    update: (key, value, rev, o) => store.update(key, value, rev, o),
    delete: (key, o) => store.delete(key, o),
    watch: (prefix, o) => fanout.watch(prefix, o),
    compact: (rev) => store.compact(rev),
    currentRevision: () => store.currentRevision(),
    grantLease: (ttl) => store.grantLease(ttl),
    keepAliveLease: (id) => store.keepAliveLease(id),
    revokeLease: (id) => store.revokeLease(id),
    close: () => store.close(),
  };
}
