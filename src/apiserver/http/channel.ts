/**
 * The API server's end of the in-process channel (ADR 29): requests that arrive as messages on a
 * `MessagePort` are given to the same handler as HTTP ones, as a request and a response object
 * with the parts of Node's `IncomingMessage` and `ServerResponse` the pipeline uses. No socket,
 * no HTTP parsing or framing: a body crosses as bytes, a whole answer as one message.
 */
import { EventEmitter } from "node:events";
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from "node:http";
import { Readable } from "node:stream";
import type { MessagePort } from "node:worker_threads";
import {
  type ChannelClientMessage,
  type ChannelHeaders,
  type ChannelRequestMessage,
  type ChannelServerMessage,
  Outbox,
} from "../../machinery/channel-messages.ts";

/** What stands for a request's connection: it closes when the client cancels the exchange. */
class ChannelSocket extends EventEmitter {
  readonly encrypted = false;
  readonly remoteAddress = undefined;
  destroyed = false;

  destroy(): this {
    if (!this.destroyed) {
      this.destroyed = true;
      this.emit("close", false);
    }
    return this;
  }

  setTimeout(): this {
    return this;
  }

  setNoDelay(): this {
    return this;
  }

  setKeepAlive(): this {
    return this;
  }
}

const channelSockets = new WeakSet<object>();

/** Whether a request came over the channel (the loopback tokens are accepted there only). */
export function isChannelRequest(req: IncomingMessage): boolean {
  return channelSockets.has(req.socket);
}

class ChannelRequest extends Readable {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly socket: ChannelSocket;
  readonly httpVersion = "1.1";
  #body: string | undefined;

  constructor(message: ChannelRequestMessage, socket: ChannelSocket) {
    super();
    this.method = message.method;
    this.url = message.path;
    this.headers = message.headers;
    this.socket = socket;
    this.#body = message.body;
  }

  /** Built when asked, not for every request. */
  get rawHeaders(): string[] {
    return Object.entries(this.headers).flatMap(([k, v]) => [k, String(v)]);
  }

  get headersDistinct(): Record<string, string[]> {
    return Object.fromEntries(Object.entries(this.headers).map(([k, v]) => [k, [String(v)]]));
  }

  override _read(): void {
    const body = this.#body;
    this.#body = undefined;
    if (body) this.push(Buffer.from(body));
    this.push(null);
  }
}

/** Header values as Node would send them: numbers as text. */
function headerValue(value: number | string | readonly string[]): string | string[] {
  if (typeof value === "number") return String(value);
  return typeof value === "string" ? value : [...value];
}

class ChannelResponse extends EventEmitter {
  statusCode = 200;
  statusMessage = "";
  headersSent = false;
  writableEnded = false;
  finished = false;
  destroyed = false;
  readonly socket: ChannelSocket;
  readonly #headers = new Map<string, string | string[]>();
  /** Whether the head went to the client already (the answer is streamed). */
  #streaming = false;
  readonly #outbox: Outbox<ChannelServerMessage>;
  readonly #id: number;

  constructor(id: number, socket: ChannelSocket, outbox: Outbox<ChannelServerMessage>) {
    super();
    this.#id = id;
    this.socket = socket;
    this.#outbox = outbox;
    socket.once("close", () => {
      if (!this.writableEnded) this.destroyed = true;
      this.emit("close");
    });
  }

  setHeader(name: string, value: number | string | readonly string[]): this {
    this.#headers.set(name.toLowerCase(), headerValue(value));
    return this;
  }

  getHeader(name: string): string | string[] | undefined {
    return this.#headers.get(name.toLowerCase());
  }

  getHeaders(): ChannelHeaders {
    return Object.fromEntries(this.#headers);
  }

  hasHeader(name: string): boolean {
    return this.#headers.has(name.toLowerCase());
  }

  removeHeader(name: string): void {
    this.#headers.delete(name.toLowerCase());
  }

  writeHead(
    code: number,
    reasonOrHeaders?: string | Record<string, number | string | readonly string[]>,
    maybeHeaders?: Record<string, number | string | readonly string[]>,
  ): this {
    this.statusCode = code;
    const headers = typeof reasonOrHeaders === "object" ? reasonOrHeaders : maybeHeaders;
    for (const [name, value] of Object.entries(headers ?? {})) this.setHeader(name, value);
    this.headersSent = true;
    return this;
  }

  flushHeaders(): void {
    this.headersSent = true;
    this.#startStream();
  }

  #startStream(): void {
    if (this.#streaming || this.destroyed) return;
    this.#streaming = true;
    this.#outbox.push({
      t: "head",
      id: this.#id,
      status: this.statusCode,
      headers: this.getHeaders(),
    });
  }

  write(chunk: string | Uint8Array, encoding?: unknown, cb?: () => void): boolean {
    const done = typeof encoding === "function" ? (encoding as () => void) : cb;
    if (this.writableEnded || this.destroyed) return false;
    this.headersSent = true;
    this.#startStream();
    this.#data(chunk);
    if (done) queueMicrotask(done);
    return true;
  }

  end(chunk?: string | Uint8Array | (() => void), encoding?: unknown, cb?: () => void): this {
    if (this.writableEnded) return this;
    const done = [chunk, encoding, cb].find((x) => typeof x === "function") as
      | (() => void)
      | undefined;
    const body = typeof chunk === "function" ? undefined : chunk;
    this.writableEnded = true;
    this.finished = true;
    this.headersSent = true;
    if (!this.destroyed) {
      if (this.#streaming) {
        if (body !== undefined) this.#data(body);
        this.#outbox.push({ t: "end", id: this.#id });
      } else {
        this.#outbox.push({
          t: "res",
          id: this.#id,
          status: this.statusCode,
          headers: this.getHeaders(),
          ...(body !== undefined ? { body: this.#payload(body) } : {}),
        });
      }
    }
    queueMicrotask(() => {
      this.emit("finish");
      done?.();
      this.socket.destroy();
    });
    return this;
  }

  /** A chunk of a streamed answer. */
  #data(chunk: string | Uint8Array): void {
    this.#outbox.push({ t: "data", id: this.#id, chunk: this.#payload(chunk) });
  }

  /** Text as it is; bytes in a buffer of their own, moved to the client. */
  #payload(chunk: string | Uint8Array): string | Uint8Array {
    return typeof chunk === "string" ? chunk : this.#outbox.bytes(chunk);
  }

  /** Drops the exchange (a connection reset over HTTP: the client sees an error). */
  destroy(err?: Error): this {
    if (!this.destroyed && !this.writableEnded) {
      this.#outbox.push({ t: "abort", id: this.#id, message: err?.message ?? "response aborted" });
    }
    this.destroyed = true;
    this.socket.destroy();
    return this;
  }

  cork(): void {}
  uncork(): void {}
}

export type ChannelHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void> | void;

/**
 * Serves `port` with `handler`. The returned stop refuses new requests, lets the open exchanges
 * finish (a watch ends when the server's shutdown ends it) for up to `graceMs`, then drops what
 * is left and closes the port, as an HTTP server's close and then closeAllConnections do.
 */
export function serveChannel(
  port: MessagePort,
  handler: ChannelHandler,
): (graceMs?: number) => Promise<void> {
  const open = new Map<number, ChannelSocket>();
  let stopping = false;
  let drained: (() => void) | undefined;
  // A failed post means the port closed under us: the client is gone.
  const outbox = new Outbox<ChannelServerMessage>(port, () => undefined);
  const send = (message: ChannelServerMessage) => outbox.push(message);
  const onMessages = (messages: readonly ChannelClientMessage[]) => {
    for (const message of messages) onMessage(message);
  };
  const onMessage = (message: ChannelClientMessage) => {
    if (message.t === "cancel") {
      open.get(message.id)?.destroy();
      return;
    }
    if (stopping) {
      send({ t: "abort", id: message.id, message: "the server is shutting down", refused: true });
      return;
    }
    const socket = new ChannelSocket();
    channelSockets.add(socket);
    open.set(message.id, socket);
    socket.once("close", () => {
      open.delete(message.id);
      if (open.size === 0) drained?.();
    });
    const req = new ChannelRequest(message, socket);
    const res = new ChannelResponse(message.id, socket, outbox);
    void handler(req as unknown as IncomingMessage, res as unknown as ServerResponse);
  };
  const close = () => {
    port.off("message", onMessages);
    // What was accepted and is still open is reset; the client takes anything else that had no
    // answer when the port closed as never read.
    for (const [id, socket] of [...open]) {
      send({ t: "abort", id, message: "the server closed the connection" });
      socket.destroy();
    }
    outbox.flush();
    port.close();
  };
  port.on("message", onMessages);
  port.once("close", close);
  // Like a listening socket's idle connections, the port keeps no one alive.
  port.unref();
  return async (graceMs = 5_000) => {
    stopping = true;
    if (open.size > 0) {
      await new Promise<void>((resolve) => {
        drained = resolve;
        setTimeout(resolve, graceMs).unref();
      });
    }
    close();
  };
}
