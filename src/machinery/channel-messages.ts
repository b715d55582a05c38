/**
 * The messages of the in-process API channel (ADR 29): HTTP requests and responses between the
 * control-plane worker's clients and the API server's thread, carried by a `MessagePort` instead
 * of a socket. One port carries many exchanges, each named by the `id` its request chose; each
 * side posts arrays of messages (see `Outbox`).
 */

/** A request: what an HTTP request line, headers and body say. */
export interface ChannelRequestMessage {
  readonly t: "req";
  readonly id: number;
  readonly method: string;
  /** Path and query, as in a request line. */
  readonly path: string;
  /** Lower-case names. */
  readonly headers: Record<string, string>;
  readonly body?: string;
}

/** The client gave up on an exchange (a watch it stopped, a request that timed out). */
export interface ChannelCancelMessage {
  readonly t: "cancel";
  readonly id: number;
}

export type ChannelClientMessage = ChannelRequestMessage | ChannelCancelMessage;

export type ChannelHeaders = Record<string, string | string[]>;

/**
 * From the server: a whole response at once (`res`, most answers), or a streamed one (`head`,
 * then `data` chunks, then `end`, as a watch), or `abort` when the server dropped the exchange
 * (a connection reset, over HTTP).
 */
export type ChannelServerMessage =
  | {
      readonly t: "res";
      readonly id: number;
      readonly status: number;
      readonly headers: ChannelHeaders;
      readonly body?: string | Uint8Array;
    }
  | {
      readonly t: "head";
      readonly id: number;
      readonly status: number;
      readonly headers: ChannelHeaders;
    }
  | { readonly t: "data"; readonly id: number; readonly chunk: string | Uint8Array }
  | { readonly t: "end"; readonly id: number }
  | {
      readonly t: "abort";
      readonly id: number;
      readonly message: string;
      /** Refused unread (the server is stopping): safe to send elsewhere. */
      readonly refused?: boolean;
    };

/** Anything with `postMessage`, as a `MessagePort` (a narrow type keeps this file free of Node's). */
interface Poster {
  postMessage(value: unknown, transfer?: readonly ArrayBuffer[]): void;
}

/**
 * Messages sent in batches: what is pushed before the microtask the first push queued runs (the
 * answers one task of the event loop produces, say) goes as one array, with its bytes moved, not
 * copied. A message crossing threads costs a fixed tens of
 * microseconds whatever its size, and a typed array is cloned with the whole buffer under it (the
 * 8 KiB pool of a small Buffer), so each message's bytes get a buffer of their own to transfer.
 */
export class Outbox<M> {
  readonly #port: Poster;
  #messages: M[] = [];
  #transfer: ArrayBuffer[] = [];
  #scheduled = false;
  /** Called if posting fails (the port closed). */
  readonly #onError: () => void;

  constructor(port: Poster, onError: () => void) {
    this.#port = port;
    this.#onError = onError;
  }

  /** Bytes that can cross in a message (a copy of `bytes` into a buffer of its own). */
  bytes(bytes: Uint8Array): Uint8Array {
    const own = new Uint8Array(bytes);
    this.#transfer.push(own.buffer);
    return own;
  }

  push(message: M): void {
    this.#messages.push(message);
    if (this.#scheduled) return;
    this.#scheduled = true;
    queueMicrotask(() => this.flush());
  }

  flush(): void {
    this.#scheduled = false;
    if (this.#messages.length === 0) return;
    const messages = this.#messages;
    const transfer = this.#transfer;
    this.#messages = [];
    this.#transfer = [];
    try {
      this.#port.postMessage(messages, transfer);
    } catch {
      this.#onError();
    }
  }
}
