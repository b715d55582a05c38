/**
 * The client's end of the in-process API channel (ADR 29): the control-plane worker's clients
 * send their requests to the API server's thread as messages on a `MessagePort`, many exchanges
 * at once on one port, instead of HTTP on a socket. An answer comes whole, or streamed (a watch).
 */
import type { MessagePort } from "node:worker_threads";
import {
  type ChannelClientMessage,
  type ChannelHeaders,
  type ChannelServerMessage,
  Outbox,
} from "../machinery/channel-messages.ts";

export interface ChannelAnswer {
  readonly status: number;
  readonly headers: ChannelHeaders;
  /** The whole body of an answer that came at once. */
  readonly body?: string | Uint8Array;
  /** The chunks of a streamed answer; leaving the loop early cancels the exchange. */
  readonly stream?: AsyncIterable<string | Uint8Array>;
}

/**
 * An exchange that failed on the channel rather than with an answer; `code` as a socket error
 * would have, and `sent` false when the request never reached the server (safe to send again).
 */
export class ChannelError extends Error {
  readonly code: string;
  readonly sent: boolean;

  constructor(message: string, code: string, sent: boolean) {
    super(message);
    this.code = code;
    this.sent = sent;
  }
}

interface Exchange {
  readonly resolve: (answer: ChannelAnswer) => void;
  readonly reject: (err: Error) => void;
  /** Once streaming: chunks not yet taken, and the reader waiting for more. */
  chunks?: Array<string | Uint8Array>;
  wake?: (() => void) | undefined;
  ended?: boolean;
  error?: Error;
  /** Stops listening for the caller's abort and the timeout. */
  cleanup?: () => void;
}

export interface ChannelRequestOptions {
  readonly headers: Record<string, string>;
  readonly body?: string;
  readonly signal?: AbortSignal;
  /** Give up after this long without the answer's head (requests; not watches). */
  readonly timeoutMs?: number;
}

export class ApiChannel {
  readonly #port: MessagePort;
  readonly #outbox: Outbox<ChannelClientMessage>;
  readonly #exchanges = new Map<number, Exchange>();
  #nextId = 1;
  #closed = false;
  /** Whether the port holds the thread (exchanges are open). */
  #refd = false;

  constructor(port: MessagePort) {
    this.#port = port;
    this.#outbox = new Outbox(port, () => this.#close());
    port.on("message", (messages: readonly ChannelServerMessage[]) => {
      for (const message of messages) this.#receive(message);
    });
    port.once("close", () => this.#close());
    // Like an idle keep-alive connection, the port keeps no one alive; exchanges do (see #track).
    port.unref();
  }

  /** Sends a request; resolves with the answer (whole, or the head of a stream). */
  request(method: string, path: string, o: ChannelRequestOptions): Promise<ChannelAnswer> {
    if (this.#closed) {
      return Promise.reject(
        new ChannelError("the API server's channel is closed", "ECONNREFUSED", false),
      );
    }
    if (o.signal?.aborted) return Promise.reject(abortError());
    const id = this.#nextId++;
    return new Promise<ChannelAnswer>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const cleanup = () => {
        clearTimeout(timer);
        o.signal?.removeEventListener("abort", onAbort);
      };
      const exchange: Exchange = {
        resolve: (answer) => {
          clearTimeout(timer);
          if (!answer.stream) cleanup();
          resolve(answer);
        },
        reject: (err) => {
          cleanup();
          reject(err);
        },
        cleanup,
      };
      const giveUp = (err: Error) => {
        if (!this.#exchanges.has(id)) return;
        this.#post({ t: "cancel", id });
        this.#fail(id, err);
      };
      const onAbort = () => giveUp(abortError());
      o.signal?.addEventListener("abort", onAbort, { once: true });
      if (o.timeoutMs !== undefined) {
        timer = setTimeout(
          () => giveUp(new ChannelError(`${method} ${path}: timed out`, "ETIMEDOUT", true)),
          o.timeoutMs,
        );
      }
      this.#exchanges.set(id, exchange);
      this.#track();
      this.#post({
        t: "req",
        id,
        method,
        path,
        headers: lowerCase(o.headers),
        ...(o.body !== undefined ? { body: o.body } : {}),
      });
    });
  }

  #post(message: ChannelClientMessage): void {
    this.#outbox.push(message);
  }

  #receive(message: ChannelServerMessage): void {
    const exchange = this.#exchanges.get(message.id);
    if (!exchange) return;
    switch (message.t) {
      case "res":
        this.#forget(message.id);
        exchange.resolve({
          status: message.status,
          headers: message.headers,
          body: message.body ?? "",
        });
        return;
      case "head":
        exchange.chunks = [];
        exchange.resolve({
          status: message.status,
          headers: message.headers,
          stream: this.#stream(message.id, exchange),
        });
        return;
      case "data":
        exchange.chunks?.push(message.chunk);
        exchange.wake?.();
        return;
      case "end":
        this.#forget(message.id);
        exchange.ended = true;
        exchange.wake?.();
        return;
      case "abort":
        this.#fail(
          message.id,
          message.refused
            ? new ChannelError(
                `the API server refused the request: ${message.message}`,
                "ECONNREFUSED",
                false,
              )
            : new ChannelError(
                `the API server dropped the request: ${message.message}`,
                "ECONNRESET",
                true,
              ),
        );
        return;
    }
  }

  async *#stream(id: number, exchange: Exchange): AsyncGenerator<string | Uint8Array> {
    try {
      for (;;) {
        const chunk = exchange.chunks!.shift();
        if (chunk !== undefined) {
          yield chunk;
          continue;
        }
        if (exchange.error) throw exchange.error;
        if (exchange.ended) return;
        await new Promise<void>((wake) => {
          exchange.wake = wake;
        });
        exchange.wake = undefined;
      }
    } finally {
      exchange.cleanup?.();
      if (this.#exchanges.has(id)) {
        this.#post({ t: "cancel", id });
        this.#forget(id);
      }
    }
  }

  /** Ends an exchange with `err`: its request fails, or its stream throws. */
  #fail(id: number, err: Error): void {
    const exchange = this.#exchanges.get(id);
    if (!exchange) return;
    this.#forget(id);
    if (exchange.chunks) {
      exchange.error = err;
      exchange.wake?.();
    } else exchange.reject(err);
  }

  /** An exchange is over: no more messages for it are looked at. */
  #forget(id: number): void {
    this.#exchanges.delete(id);
    this.#track();
  }

  /** The port keeps the thread alive while exchanges are open, as their sockets would. */
  #track(): void {
    const busy = this.#exchanges.size > 0;
    if (this.#closed || busy === this.#refd) return;
    this.#refd = busy;
    if (busy) this.#port.ref();
    else this.#port.unref();
  }

  #close(): void {
    if (this.#closed) return;
    const ids = [...this.#exchanges.keys()];
    // The server resets what it had accepted before it closes: the rest was never read.
    for (const id of ids) {
      this.#fail(id, new ChannelError("the API server's channel closed", "ECONNREFUSED", false));
    }
    this.#closed = true;
  }

  /** Closes the port: open exchanges fail, later requests are refused. */
  close(): void {
    this.#close();
    this.#outbox.flush();
    this.#port.close();
  }
}

function lowerCase(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) out[name.toLowerCase()] = value;
  return out;
}

function abortError(): Error {
  return Object.assign(new Error("The operation was aborted"), {
    name: "AbortError",
    code: "ABORT_ERR",
  });
}
