/**
 * An informer: list, then watch, into a local cache of one resource, telling handlers about
 * adds, updates and deletes. It re-watches from the last resourceVersion when a stream ends,
 * relists on 410 Gone, and backs off on errors. Handlers should only enqueue keys.
 */
import type { ObjectLike } from "../api/object.ts";
import { type Logger, silentLogger } from "../machinery/log.ts";
import { isStatusError } from "../machinery/status.ts";
import { type IndexFunc, Indices } from "./indexer.ts";
import { type GroupVersionResource, resourcePath } from "./resources.ts";
import type { RestClient, WatchEvent } from "./rest-client.ts";

export interface InformerHandlers<T> {
  onAdd?(obj: T): void;
  onUpdate?(old: T, obj: T): void;
  onDelete?(obj: T): void;
}

export interface InformerOptions {
  readonly client: RestClient;
  readonly resource: GroupVersionResource;
  /** Only this namespace ("" or absent: all). */
  readonly namespace?: string;
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
  readonly log?: Logger;
  /**
   * Applied to every object before it is cached or handed to handlers (client-go's
   * SetTransform), e.g. to drop fields no consumer reads: what it returns is cached (it may be
   * the object itself, changed in place).
   */
  readonly transform?: <U extends ObjectLike>(obj: U) => U;
}

interface List<T> {
  metadata: { resourceVersion?: string; continue?: string };
  items: T[];
}

/** The scope handlers added now belong to (see `withHandlerScope`). */
let handlerScope: AbortSignal | undefined;

/**
 * Runs `register` (which must add its handlers synchronously, as controller constructors do)
 * so that every handler it adds to any informer is removed when `scope` aborts: a component
 * whose term as leader ends leaves informers it shares with another component as they were.
 */
export function withHandlerScope<R>(scope: AbortSignal, register: () => R): R {
  const outer = handlerScope;
  handlerScope = scope;
  try {
    return register();
  } finally {
    handlerScope = outer;
  }
}

/** `namespace/name`, or `name` for cluster-scoped objects. */
export function keyOf(obj: ObjectLike): string {
  const meta = obj.metadata ?? {};
  return meta.namespace ? `${meta.namespace}/${meta.name}` : (meta.name ?? "");
}

export function splitKey(key: string): { namespace: string; name: string } {
  const i = key.indexOf("/");
  return i < 0
    ? { namespace: "", name: key }
    : { namespace: key.slice(0, i), name: key.slice(i + 1) };
}

export class Informer<T extends ObjectLike = ObjectLike> {
  readonly resource: GroupVersionResource;
  readonly #options: InformerOptions;
  readonly #log: Logger;
  readonly #items = new Map<string, T>();
  readonly #indices = new Indices<T>();
  #handlers: InformerHandlers<T>[] = [];
  #synced = false;
  #syncWaiters: Array<() => void> = [];

  constructor(options: InformerOptions) {
    this.#options = options;
    this.resource = options.resource;
    this.#log = (options.log ?? silentLogger).with({ informer: options.resource.resource });
  }

  /** Adds handlers (told of every cached object at once when synced), for the current scope. */
  addHandlers(handlers: InformerHandlers<T>): void {
    const scope = handlerScope;
    if (scope?.aborted) return;
    // A copy per change: a handler removed while the others are being told is still told once.
    this.#handlers = [...this.#handlers, handlers];
    scope?.addEventListener(
      "abort",
      () => {
        this.#handlers = this.#handlers.filter((h) => h !== handlers);
      },
      { once: true },
    );
    if (this.#synced) for (const obj of this.#items.values()) handlers.onAdd?.(obj);
  }

  /**
   * Adds a secondary index (client-go's `AddIndexers`), filing the objects already cached;
   * the same function under the same name again is a no-op. See `indexer.ts`.
   */
  addIndexer(name: string, fn: IndexFunc<T>): void {
    this.#indices.add(name, fn, this.#items);
  }

  /** The cached objects filed under `value` in index `name` (client-go's `ByIndex`). */
  byIndex(name: string, value: string): T[] {
    return this.#indices.byIndex(name, value);
  }

  get hasSynced(): boolean {
    return this.#synced;
  }

  /** Resolves once the first list has been loaded. */
  synced(): Promise<void> {
    return this.#synced ? Promise.resolve() : new Promise((r) => this.#syncWaiters.push(r));
  }

  get(namespace: string, name: string): T | undefined {
    return this.#items.get(namespace ? `${namespace}/${name}` : name);
  }

  getByKey(key: string): T | undefined {
    return this.#items.get(key);
  }

  list(namespace?: string): T[] {
    const all = [...this.#items.values()];
    return namespace === undefined
      ? all
      : all.filter((o) => (o.metadata?.namespace ?? "") === namespace);
  }

  #query(): Record<string, string | undefined> {
    return {
      labelSelector: this.#options.labelSelector,
      fieldSelector: this.#options.fieldSelector,
    };
  }

  async #list(): Promise<string> {
    const path = resourcePath(this.resource, this.#options.namespace ?? "");
    const fresh = new Map<string, T>();
    let token: string | undefined;
    let rv = "";
    do {
      const page = await this.#options.client.get<List<T>>(path, {
        ...this.#query(),
        limit: 500,
        ...(token ? { continue: token } : {}),
      });
      const transform = this.#options.transform;
      for (const raw of page.items) {
        const item = transform ? transform(raw) : raw;
        fresh.set(keyOf(item), item);
      }
      token = page.metadata.continue;
      rv = page.metadata.resourceVersion ?? rv;
    } while (token);
    for (const [key, old] of this.#items) {
      if (!fresh.has(key)) {
        this.#items.delete(key);
        this.#indices.delete(key, old);
        for (const h of this.#handlers) h.onDelete?.(old);
      }
    }
    for (const [key, obj] of fresh) this.#upsert(key, obj);
    if (!this.#synced) {
      this.#synced = true;
      for (const w of this.#syncWaiters.splice(0)) w();
    }
    return rv;
  }

  #upsert(key: string, obj: T): void {
    const old = this.#items.get(key);
    this.#items.set(key, obj);
    this.#indices.update(key, old, obj);
    for (const h of this.#handlers) {
      if (old) {
        if (old.metadata?.resourceVersion !== obj.metadata?.resourceVersion) h.onUpdate?.(old, obj);
      } else h.onAdd?.(obj);
    }
  }

  #apply(event: WatchEvent<T>): string | undefined {
    const rv = event.object.metadata?.resourceVersion;
    if (event.type === "BOOKMARK") return rv;
    const transform = this.#options.transform;
    const ev = transform ? { type: event.type, object: transform(event.object) } : event;
    const key = keyOf(ev.object);
    if (ev.type === "DELETED") {
      const old = this.#items.get(key) ?? ev.object;
      if (this.#items.delete(key)) this.#indices.delete(key, old);
      for (const h of this.#handlers) h.onDelete?.(ev.object ?? old);
    } else {
      this.#upsert(key, ev.object);
    }
    return rv;
  }

  /** Runs the list-and-watch loop until `signal` aborts. */
  async run(signal: AbortSignal): Promise<void> {
    let rv = "";
    let backoff = 500;
    while (!signal.aborted) {
      try {
        if (!rv) rv = await this.#list();
        const path = resourcePath(this.resource, this.#options.namespace ?? "");
        const timeout = 300 + Math.floor(Math.random() * 300);
        const stream = this.#options.client.watch<T>(
          path,
          {
            ...this.#query(),
            resourceVersion: rv,
            allowWatchBookmarks: true,
            timeoutSeconds: timeout,
          },
          signal,
        );
        for await (const ev of stream) {
          if (ev.type === "ERROR") {
            const status = ev.object as unknown as { code?: number };
            if (status.code === 410) rv = "";
            break;
          }
          rv = this.#apply(ev) ?? rv;
          backoff = 500;
        }
      } catch (err) {
        if (signal.aborted) break;
        if (isStatusError(err, "Expired") || isStatusError(err, "Gone")) rv = "";
        this.#log.warn("list/watch failed; retrying", { err, backoffMs: backoff });
        await new Promise((r) => setTimeout(r, backoff));
        backoff = Math.min(backoff * 2, 30_000);
      }
    }
  }
}

/**
 * Resolves once every informer has loaded its first list (client-go's WaitForCacheSync); rejects
 * if `signal` aborts first, so a component stopped while starting does not wait for ever.
 */
export function waitForSync(
  informers: readonly Pick<Informer, "synced">[],
  signal?: AbortSignal,
): Promise<void> {
  const all = Promise.all(informers.map((i) => i.synced())).then(() => {});
  if (!signal) return all;
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(new Error("stopped before the informers synced"));
    if (signal.aborted) return onAbort();
    signal.addEventListener("abort", onAbort, { once: true });
    all.then(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    });
  });
}
