import { onAbort } from "../machinery/abort.ts";
import { isStoreError, type StoreError, unavailable } from "./errors.ts";
import type { Watch, WatchItem } from "./store.ts";

/**
 * The push side of a `Watch`: producers `push` events, `fail` with an error or `end`; one consumer
 * iterates. Events are buffered without bound, so a producer never waits for a slow consumer.
 */
export interface WatchChannelOptions {
  readonly signal?: AbortSignal | undefined;
  readonly onClose?: () => void;
  /** Deliver ProgressNotices; without it they are dropped. */
  readonly progressNotify?: boolean | undefined;
  /** Called for `requestProgress()`; the backend answers with a ProgressNotice. */
  readonly onRequestProgress?: () => void;
}

export class WatchChannel implements Watch {
  #buffer: WatchItem[] = [];
  #head = 0;
  #done = false;
  #error: StoreError | undefined;
  #wake: (() => void) | undefined;
  #onClose: (() => void) | undefined;
  readonly #progressNotify: boolean;
  readonly #onRequestProgress: (() => void) | undefined;

  constructor(options: WatchChannelOptions = {}) {
    this.#onClose = options.onClose;
    this.#progressNotify = options.progressNotify ?? false;
    this.#onRequestProgress = options.onRequestProgress;
    const signal = options.signal;
    if (signal) {
      onAbort(signal, () => this.close());
    }
  }

  get closed(): boolean {
    return this.#done;
  }

  /** Number of events not yet taken by the consumer. */
  get backlog(): number {
    return this.#buffer.length - this.#head;
  }

  /** Whether ProgressNotices reach the consumer. */
  get wantsProgress(): boolean {
    return this.#progressNotify;
  }

  requestProgress(): void {
    if (this.#progressNotify && !this.#done) this.#onRequestProgress?.();
  }

  push(event: WatchItem): void {
    if (this.#done) return;
    if (event.type === "progress" && !this.#progressNotify) return;
    this.#buffer.push(event);
    this.#notify();
  }

  /** Ends the watch with an error; anything but a StoreError is reported as Unavailable. */
  fail(error: unknown): void {
    if (this.#done) return;
    this.#error = isStoreError(error) ? error : unavailable(String(error), error);
    this.#finish();
  }

  end(): void {
    this.#finish();
  }

  close(): void {
    this.#buffer = [];
    this.#head = 0;
    this.#finish();
  }

  #finish(): void {
    if (this.#done) return;
    this.#done = true;
    this.#notify();
    const onClose = this.#onClose;
    this.#onClose = undefined;
    onClose?.();
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<WatchItem> {
    try {
      for (;;) {
        if (this.#head < this.#buffer.length) {
          const event = this.#buffer[this.#head++]!;
          if (this.#head > 1024 && this.#head * 2 > this.#buffer.length) {
            this.#buffer = this.#buffer.slice(this.#head);
            this.#head = 0;
          }
          yield event;
          continue;
        }
        if (this.#done) {
          if (this.#error) throw this.#error;
          return;
        }
        await new Promise<void>((resolve) => {
          this.#wake = resolve;
        });
      }
    } finally {
      this.close();
    }
  }
}
