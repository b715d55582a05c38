/**
 * One client's view of a watch cache: events filtered by namespace prefix and selectors (with
 * upstream's transitions: leaving the selection is a DELETED, entering it an ADDED), queued for
 * the consumer. A consumer that falls too far behind is ended, as upstream ends slow watchers.
 */
import type { Selection } from "../handlers/selectors.ts";
import type { CachedObject, CacheEvent, CacheEventType } from "./watch-cache.ts";

export interface WatcherEvent {
  readonly type: CacheEventType | "EXPIRED";
  readonly object: CachedObject;
}

const maxBacklog = 100_000;

export class CacheWatcher implements AsyncIterable<WatcherEvent> {
  readonly #prefix: string;
  readonly #matches: ((s: Selection) => boolean) | undefined;
  readonly #onClose: () => void;
  readonly #after: number;
  #queue: WatcherEvent[] = [];
  #done = false;
  #wake: (() => void) | undefined;

  constructor(options: {
    prefix: string;
    matches?: (s: Selection) => boolean;
    onClose: () => void;
    /** Events at or below this revision are not delivered (the client has seen them). */
    after?: number;
  }) {
    this.#prefix = options.prefix;
    this.#after = options.after ?? 0;
    this.#matches = options.matches;
    this.#onClose = options.onClose;
  }

  offer(ev: CacheEvent): void {
    if (this.#done || !ev.object.key.startsWith(this.#prefix)) return;
    if (ev.revision <= this.#after) return;
    const type = this.#transition(ev);
    if (!type) return;
    this.#push({ type, object: ev.object });
  }

  /** An object of the initial state (a watch from revision 0), delivered as ADDED. */
  offerInitial(object: CachedObject): void {
    if (this.#done || !object.key.startsWith(this.#prefix)) return;
    if (this.#matches && !this.#matches(object)) return;
    this.#push({ type: "ADDED", object });
  }

  #transition(ev: CacheEvent): CacheEventType | undefined {
    const matches = this.#matches;
    if (!matches) return ev.type;
    if (ev.type === "DELETED") return matches(ev.object) ? "DELETED" : undefined;
    const now = matches(ev.object);
    const before = ev.previous !== undefined && ev.type === "MODIFIED" && matches(ev.previous);
    if (now) return before ? "MODIFIED" : "ADDED";
    return before ? "DELETED" : undefined;
  }

  #push(ev: WatcherEvent): void {
    this.#queue.push(ev);
    if (this.#queue.length > maxBacklog) this.end();
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  /** Ends the stream with a "too old" marker (the cache was reset). */
  expire(revision: number): void {
    if (this.#done) return;
    this.#push({
      type: "EXPIRED",
      object: {
        key: "",
        namespace: "",
        revision,
        bytes: new Uint8Array(0),
        labels: {},
        fields: {},
      },
    });
    this.end();
  }

  end(): void {
    if (this.#done) return;
    this.#done = true;
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
    this.#onClose();
  }

  /**
   * Everything queued, a batch at a time: the events of one Store commit reach a watch stream
   * together, and go out in one write.
   */
  async *batches(): AsyncGenerator<WatcherEvent[]> {
    try {
      for (;;) {
        if (this.#queue.length > 0) {
          const batch = this.#queue;
          this.#queue = [];
          yield batch;
          continue;
        }
        if (this.#done) return;
        await new Promise<void>((resolve) => {
          this.#wake = resolve;
        });
      }
    } finally {
      this.end();
    }
  }

  async *[Symbol.asyncIterator](): AsyncIterator<WatcherEvent> {
    for await (const batch of this.batches()) yield* batch;
  }
}
