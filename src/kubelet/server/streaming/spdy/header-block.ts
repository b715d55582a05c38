/**
 * SPDY/3 header blocks: `count(4)` then `nameLength(4) name valueLength(4) value` pairs, names in
 * lower case, compressed as one zlib stream per direction primed with the SPDY dictionary, each
 * block ending on a sync flush.
 *
 * Compression writes stored (uncompressed) deflate blocks: a valid zlib stream any inflater reads,
 * produced synchronously and in order, for a few hundred bytes per stream. Decompression uses a
 * real inflater (the peer compresses for real) fed one block at a time, in order.
 */
import { constants, createInflate, type Inflate } from "node:zlib";
import { spdyDictionary } from "./dictionary.ts";

export type SpdyHeaders = Record<string, string>;

export function encodeHeaders(headers: SpdyHeaders): Buffer {
  const entries = Object.entries(headers);
  const parts: Buffer[] = [u32(entries.length)];
  for (const [name, value] of entries) {
    const n = Buffer.from(name.toLowerCase(), "utf8");
    const v = Buffer.from(value, "utf8");
    parts.push(u32(n.length), n, u32(v.length), v);
  }
  return Buffer.concat(parts);
}

export function decodeHeaders(block: Buffer): SpdyHeaders {
  const headers: SpdyHeaders = {};
  if (block.length < 4) return headers;
  const count = block.readUInt32BE(0);
  let at = 4;
  const take = (): string => {
    if (at + 4 > block.length) throw new Error("truncated SPDY header block");
    const len = block.readUInt32BE(at);
    at += 4;
    if (at + len > block.length) throw new Error("truncated SPDY header block");
    const s = block.subarray(at, at + len).toString("utf8");
    at += len;
    return s;
  };
  for (let i = 0; i < count; i++) {
    const name = take();
    // Several values of one header are joined by NUL bytes; the first is what streams use.
    headers[name.toLowerCase()] = take().split("\0")[0] ?? "";
  }
  return headers;
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}

/** The sending half: a zlib stream of stored blocks. */
export class HeaderCompressor {
  #started = false;

  compress(headers: SpdyHeaders): Buffer {
    const raw = encodeHeaders(headers);
    const parts: Buffer[] = [];
    if (!this.#started) {
      // CMF 0x78 (deflate, 32K window); FLG with FDICT and the dictionary's Adler-32, FCHECK fixed.
      const flg = 0x20 | (31 - ((0x78 * 256 + 0x20) % 31));
      parts.push(Buffer.from([0x78, flg]), adler32(spdyDictionary));
      this.#started = true;
    }
    for (let at = 0; at < raw.length; at += 0xffff)
      parts.push(storedBlock(raw.subarray(at, at + 0xffff)));
    // What a sync flush ends with: an empty stored block, after which an inflater hands out
    // everything so far without reading on (Go's flate reader otherwise reads past the frame).
    parts.push(storedBlock(Buffer.alloc(0)));
    return Buffer.concat(parts);
  }
}

/** A non-final stored deflate block (we are always at a byte boundary between blocks). */
function storedBlock(data: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head.writeUInt16LE(data.length, 1);
  head.writeUInt16LE(~data.length & 0xffff, 3);
  return Buffer.concat([head, data]);
}

function adler32(data: Buffer): Buffer {
  let a = 1;
  let b = 0;
  for (const byte of data) {
    a = (a + byte) % 65521;
    b = (b + a) % 65521;
  }
  const out = Buffer.alloc(4);
  out.writeUInt32BE(((b << 16) | a) >>> 0);
  return out;
}

/** The receiving half: one inflater for the session, blocks decompressed strictly in order. */
export class HeaderDecompressor {
  readonly #inflate: Inflate = createInflate({ dictionary: spdyDictionary });
  #queue: Promise<unknown> = Promise.resolve();
  #failed: Error | undefined;

  constructor() {
    this.#inflate.on("error", (err) => {
      this.#failed = err;
    });
  }

  decompress(block: Buffer): Promise<SpdyHeaders> {
    const next = this.#queue.then(() => this.#inflateBlock(block));
    this.#queue = next.catch(() => {});
    return next.then(decodeHeaders);
  }

  #inflateBlock(block: Buffer): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      if (this.#failed) return reject(this.#failed);
      const out: Buffer[] = [];
      const onData = (b: Buffer) => out.push(b);
      const onError = (err: Error) => {
        this.#inflate.off("data", onData);
        reject(err);
      };
      this.#inflate.on("data", onData);
      this.#inflate.once("error", onError);
      this.#inflate.write(block);
      this.#inflate.flush(constants.Z_SYNC_FLUSH, () => {
        this.#inflate.off("data", onData);
        this.#inflate.off("error", onError);
        if (this.#failed) reject(this.#failed);
        else resolve(Buffer.concat(out));
      });
    });
  }

  close(): void {
    this.#inflate.destroy();
  }
}
