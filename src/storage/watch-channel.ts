import { isStoreError, type StoreError, unavailable } from "./errors.ts";
import type { Watch, WatchEvent } from "./store.ts";

/**
 * The push side of a `Watch`: producers `push` events, `fail` with an error or `end`; one consumer
 * iterates. Events are buffered without bound, so a producer never waits for a slow consumer.
 */
export class WatchChannel implements Watch {
  #buffer: WatchEvent[] = [];
  #head = 0;
  #done = false;
  #error: StoreError | undefined;
  #wake: (() => void) | undefined;
  #onClose: (() => void) | undefined;

  constructor(options: { signal?: AbortSignal | undefined; onClose?: () => void } = {}) {
    this.#onClose = options.onClose;
    const signal = options.signal;
    if (signal) {
      if (signal.aborted) queueMicrotask(() => this.close());
      else signal.addEventListener("abort", () => this.close(), { once: true });
    }
  }

  get closed(): boolean {
    return this.#done;
  }

  /** Number of events not yet taken by the consumer. */
  get backlog(): number {
    return this.#buffer.length - this.#head;
  }

  push(event: WatchEvent): void {
    if (this.#done) return;
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

  async *[Symbol.asyncIterator](): AsyncIterator<WatchEvent> {
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
