/**
 * A SPDY/3.1 session over one connection, the subset Kubernetes streams use (moby/spdystream):
 * streams opened with SYN_STREAM and answered with SYN_REPLY, data both ways with FIN for
 * half-close, RST_STREAM, PING echoed, GOAWAY. No flow control (spdystream does none; WINDOW_UPDATE
 * and SETTINGS are read and ignored). The client side opens odd stream ids, the server even ones.
 */
import { EventEmitter } from "node:events";
import type { Duplex } from "node:stream";
import {
  dataFrame,
  FLAG_FIN,
  type Frame,
  FrameParser,
  FrameType,
  goAwayFrame,
  pingFrame,
  RstStatus,
  rstStreamFrame,
  synReplyFrame,
  synStreamFrame,
} from "./frames.ts";
import { HeaderCompressor, HeaderDecompressor, type SpdyHeaders } from "./header-block.ts";

const MAX_DATA = 32 * 1024;

export interface SpdyStreamEvents {
  data: [Buffer];
  /** The peer half-closed the stream (FIN). */
  end: [];
  /** The stream was reset by the peer, or the session ended. */
  close: [];
}

export class SpdyStream extends EventEmitter<SpdyStreamEvents> {
  readonly id: number;
  readonly headers: SpdyHeaders;
  /** Resolves with the SYN_REPLY headers of a stream this side opened. */
  readonly replied: Promise<SpdyHeaders>;
  remoteClosed = false;
  localClosed = false;
  closed = false;
  readonly #session: SpdySession;
  #resolveReply: (h: SpdyHeaders) => void = () => {};
  #rejectReply: (err: Error) => void = () => {};

  constructor(session: SpdySession, id: number, headers: SpdyHeaders) {
    super();
    this.#session = session;
    this.id = id;
    this.headers = headers;
    this.replied = new Promise((resolve, reject) => {
      this.#resolveReply = resolve;
      this.#rejectReply = reject;
    });
    this.replied.catch(() => {});
  }

  /** Answers a stream the peer opened. */
  reply(headers: SpdyHeaders = {}): void {
    this.#session.send(synReplyFrame(this.id, 0, this.#session.compressor.compress(headers)));
  }

  write(data: Buffer): void {
    if (this.localClosed || this.closed) return;
    for (let at = 0; at < data.length; at += MAX_DATA) {
      this.#session.send(dataFrame(this.id, 0, data.subarray(at, at + MAX_DATA)));
    }
  }

  /** Half-closes this side (an empty DATA frame with FIN). */
  end(): void {
    if (this.localClosed || this.closed) return;
    this.localClosed = true;
    this.#session.send(dataFrame(this.id, FLAG_FIN, Buffer.alloc(0)));
    this.#maybeDone();
  }

  reset(status: number = RstStatus.Cancel): void {
    if (this.closed) return;
    this.#session.send(rstStreamFrame(this.id, status));
    this.gone();
  }

  /** @internal */
  gotReply(headers: SpdyHeaders): void {
    this.#resolveReply(headers);
  }

  /** @internal */
  gotData(data: Buffer, fin: boolean): void {
    if (data.length > 0) this.emit("data", data);
    if (fin && !this.remoteClosed) {
      this.remoteClosed = true;
      this.emit("end");
      this.#maybeDone();
    }
  }

  /** @internal The stream is finished either way (reset, or the session ended). */
  gone(): void {
    if (this.closed) return;
    this.closed = true;
    this.#rejectReply(new Error(`SPDY stream ${this.id} closed before its reply`));
    if (!this.remoteClosed) {
      this.remoteClosed = true;
      this.emit("end");
    }
    this.emit("close");
    this.#session.forget(this.id);
  }

  #maybeDone(): void {
    if (this.localClosed && this.remoteClosed) this.gone();
  }
}

export interface SpdySessionEvents {
  /** The peer opened a stream; answer it with `reply()`. */
  stream: [SpdyStream];
  /** The connection ended or failed. */
  close: [Error | undefined];
}

export class SpdySession extends EventEmitter<SpdySessionEvents> {
  readonly compressor = new HeaderCompressor();
  readonly #decompressor = new HeaderDecompressor();
  readonly #parser = new FrameParser();
  readonly #socket: Duplex;
  readonly #client: boolean;
  readonly #streams = new Map<number, SpdyStream>();
  #nextId: number;
  #lastPeerId = 0;
  #closed = false;
  /** Frames are handled one after another: header blocks decompress asynchronously, in order. */
  #handling: Promise<void> = Promise.resolve();

  constructor(socket: Duplex, options: { client: boolean; head?: Buffer }) {
    super();
    this.#socket = socket;
    this.#client = options.client;
    this.#nextId = options.client ? 1 : 2;
    socket.on("data", (chunk: Buffer) => this.#receive(chunk));
    socket.on("close", () => this.#shutdown(undefined));
    socket.on("error", (err) => this.#shutdown(err));
    if (options.head && options.head.length > 0) this.#receive(options.head);
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Opens a stream; await `stream.replied` for the peer's answer. */
  open(headers: SpdyHeaders, options: { fin?: boolean } = {}): SpdyStream {
    const id = this.#nextId;
    this.#nextId += 2;
    const stream = new SpdyStream(this, id, headers);
    this.#streams.set(id, stream);
    this.send(synStreamFrame(id, options.fin ? FLAG_FIN : 0, this.compressor.compress(headers)));
    if (options.fin) stream.localClosed = true;
    if (this.#closed) stream.gone();
    return stream;
  }

  /** @internal */
  send(frame: Buffer): void {
    if (!this.#closed && this.#socket.writable) this.#socket.write(frame);
  }

  /** @internal */
  forget(id: number): void {
    this.#streams.delete(id);
  }

  /** Sends GOAWAY and closes the connection; every stream ends. */
  close(): void {
    if (this.#closed) return;
    this.send(goAwayFrame(this.#lastPeerId));
    this.#socket.end();
    this.#shutdown(undefined);
  }

  #receive(chunk: Buffer): void {
    let frames: Frame[];
    try {
      frames = this.#parser.push(chunk);
    } catch (err) {
      this.#socket.destroy();
      this.#shutdown(err as Error);
      return;
    }
    for (const frame of frames) {
      this.#handling = this.#handling
        .then(() => this.#handle(frame))
        .catch((err: Error) => {
          this.#socket.destroy();
          this.#shutdown(err);
        });
    }
  }

  async #handle(frame: Frame): Promise<void> {
    if (this.#closed) return;
    if (!frame.control) {
      this.#streams.get(frame.streamId)?.gotData(frame.data, (frame.flags & FLAG_FIN) !== 0);
      return;
    }
    const p = frame.payload;
    switch (frame.type) {
      case FrameType.SynStream: {
        const id = p.readUInt32BE(0) & 0x7fffffff;
        const headers = await this.#decompressor.decompress(p.subarray(10));
        this.#lastPeerId = id;
        const stream = new SpdyStream(this, id, headers);
        this.#streams.set(id, stream);
        this.emit("stream", stream);
        if (frame.flags & FLAG_FIN) stream.gotData(Buffer.alloc(0), true);
        return;
      }
      case FrameType.SynReply: {
        const id = p.readUInt32BE(0) & 0x7fffffff;
        const headers = await this.#decompressor.decompress(p.subarray(4));
        const stream = this.#streams.get(id);
        stream?.gotReply(headers);
        if (frame.flags & FLAG_FIN) stream?.gotData(Buffer.alloc(0), true);
        return;
      }
      case FrameType.Headers:
        await this.#decompressor.decompress(p.subarray(4)); // keeps the zlib stream in step
        return;
      case FrameType.RstStream:
        this.#streams.get(p.readUInt32BE(0) & 0x7fffffff)?.gone();
        return;
      case FrameType.Ping: {
        const id = p.readUInt32BE(0);
        // A ping from the peer (its parity) is echoed; an echo of ours is dropped.
        if ((id % 2 === 1) !== this.#client) this.send(pingFrame(id));
        return;
      }
      case FrameType.GoAway:
        this.#socket.end();
        this.#shutdown(undefined);
        return;
      default:
        return; // SETTINGS, WINDOW_UPDATE: no flow control here
    }
  }

  #shutdown(err: Error | undefined): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const stream of [...this.#streams.values()]) stream.gone();
    this.#decompressor.close();
    this.emit("close", err);
  }
}
