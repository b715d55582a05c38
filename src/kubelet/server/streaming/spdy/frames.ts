/**
 * SPDY/3.1 framing (as moby/spdystream, which Kubernetes streams use, reads and writes it):
 *
 *   control: 1 | version(15) = 3 | type(16) | flags(8) | length(24) | payload
 *   data:    0 | stream id(31)               | flags(8) | length(24) | payload
 *
 * `FrameParser` cuts a byte stream (which may arrive split anywhere) into frames; the encoders
 * build the frames a session sends. Header blocks are compressed elsewhere
 * (`header-block.ts`).
 */

export const FLAG_FIN = 0x01;

export const FrameType = {
  SynStream: 1,
  SynReply: 2,
  RstStream: 3,
  Settings: 4,
  Ping: 6,
  GoAway: 7,
  Headers: 8,
  WindowUpdate: 9,
} as const;

/** RST_STREAM status codes. */
export const RstStatus = {
  ProtocolError: 1,
  InvalidStream: 2,
  RefusedStream: 3,
  Cancel: 5,
  InternalError: 6,
} as const;

export type Frame =
  | {
      readonly control: true;
      readonly type: number;
      readonly flags: number;
      readonly payload: Buffer;
    }
  | {
      readonly control: false;
      readonly streamId: number;
      readonly flags: number;
      readonly data: Buffer;
    };

/** Frames larger than this are refused (SPDY allows 2^24-1; nobody sends near it). */
const MAX_FRAME = (1 << 24) - 1;

export class FrameParser {
  #buffer: Buffer = Buffer.alloc(0);

  /** Adds bytes; returns the frames now complete. */
  push(chunk: Buffer): Frame[] {
    this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk]);
    const frames: Frame[] = [];
    while (this.#buffer.length >= 8) {
      const length = this.#buffer.readUIntBE(5, 3);
      if (length > MAX_FRAME) throw new Error(`SPDY frame of ${length} bytes`);
      if (this.#buffer.length < 8 + length) break;
      const head = this.#buffer.readUInt32BE(0);
      const flags = this.#buffer[4]!;
      const payload = this.#buffer.subarray(8, 8 + length);
      if (head & 0x80000000) {
        const version = (head >>> 16) & 0x7fff;
        if (version !== 3) throw new Error(`SPDY version ${version} is not supported`);
        frames.push({ control: true, type: head & 0xffff, flags, payload });
      } else {
        frames.push({ control: false, streamId: head & 0x7fffffff, flags, data: payload });
      }
      this.#buffer = this.#buffer.subarray(8 + length);
    }
    if (this.#buffer.length === 0) this.#buffer = Buffer.alloc(0);
    return frames;
  }
}

export function controlFrame(type: number, flags: number, payload: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE((0x8000 | 3) * 0x10000 + type);
  head[4] = flags;
  head.writeUIntBE(payload.length, 5, 3);
  return Buffer.concat([head, payload]);
}

export function dataFrame(streamId: number, flags: number, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(streamId & 0x7fffffff);
  head[4] = flags;
  head.writeUIntBE(data.length, 5, 3);
  return Buffer.concat([head, data]);
}

/** SYN_STREAM: stream id, associated id 0, priority 0, then the compressed header block. */
export function synStreamFrame(streamId: number, flags: number, headerBlock: Buffer): Buffer {
  const p = Buffer.alloc(10);
  p.writeUInt32BE(streamId);
  return controlFrame(FrameType.SynStream, flags, Buffer.concat([p, headerBlock]));
}

export function synReplyFrame(streamId: number, flags: number, headerBlock: Buffer): Buffer {
  const p = Buffer.alloc(4);
  p.writeUInt32BE(streamId);
  return controlFrame(FrameType.SynReply, flags, Buffer.concat([p, headerBlock]));
}

export function rstStreamFrame(streamId: number, status: number): Buffer {
  const p = Buffer.alloc(8);
  p.writeUInt32BE(streamId);
  p.writeUInt32BE(status, 4);
  return controlFrame(FrameType.RstStream, 0, p);
}

export function pingFrame(id: number): Buffer {
  const p = Buffer.alloc(4);
  p.writeUInt32BE(id);
  return controlFrame(FrameType.Ping, 0, p);
}

export function goAwayFrame(lastGoodStreamId: number, status = 0): Buffer {
  const p = Buffer.alloc(8);
  p.writeUInt32BE(lastGoodStreamId);
  p.writeUInt32BE(status, 4);
  return controlFrame(FrameType.GoAway, 0, p);
}
