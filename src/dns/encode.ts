/**
 * DNS messages to bytes, with name compression (RFC 1035 4.1.4) and truncation to a size: answers
 * that do not fit set TC and drop the rest; additional records that do not fit are left out
 * without TC (RFC 2181 9), as CoreDNS's responses do.
 */
import { isIPv4 } from "node:net";
import { ipv4Bytes, ipv6Bytes } from "./ip-text.ts";
import { type DnsMessage, type Edns, type ResourceRecord, RRType, recordType } from "./message.ts";

export class DnsEncodeError extends Error {
  override name = "DnsEncodeError";
}

class Writer {
  buf = Buffer.allocUnsafe(512);
  len = 0;
  readonly #names = new Map<string, number>();
  /** Names registered since the last mark, so that a rolled-back record forgets them. */
  #journal: string[] = [];

  #ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.len + n));
    this.buf.copy(bigger, 0, 0, this.len);
    this.buf = bigger;
  }

  u8(v: number): void {
    this.#ensure(1);
    this.buf[this.len++] = v;
  }

  u16(v: number): void {
    this.#ensure(2);
    this.buf.writeUInt16BE(v & 0xffff, this.len);
    this.len += 2;
  }

  u32(v: number): void {
    this.#ensure(4);
    this.buf.writeUInt32BE(v >>> 0, this.len);
    this.len += 4;
  }

  bytes(b: ArrayLike<number>): void {
    this.#ensure(b.length);
    for (let i = 0; i < b.length; i++) this.buf[this.len++] = b[i]!;
  }

  name(name: string, compress: boolean): void {
    if (name === "" || name === ".") {
      this.u8(0);
      return;
    }
    const text = name.endsWith(".") ? name.slice(0, -1) : name;
    if (text.length > 253) throw new DnsEncodeError(`name too long: ${text.length} characters`);
    const lower = text.toLowerCase();
    let start = 0;
    while (start < text.length) {
      const suffix = lower.slice(start);
      const known = this.#names.get(suffix);
      if (compress && known !== undefined) {
        this.u16(0xc000 | known);
        return;
      }
      if (this.len < 0x3fff && known === undefined) {
        this.#names.set(suffix, this.len);
        this.#journal.push(suffix);
      }
      let end = text.indexOf(".", start);
      if (end < 0) end = text.length;
      const label = Buffer.from(text.slice(start, end), "latin1");
      if (label.length === 0 || label.length > 63) {
        throw new DnsEncodeError(`bad label in ${JSON.stringify(name)}`);
      }
      this.u8(label.length);
      this.bytes(label);
      start = end + 1;
    }
    this.u8(0);
  }

  mark(): number {
    this.#journal = [];
    return this.len;
  }

  rollback(mark: number): void {
    for (const key of this.#journal) this.#names.delete(key);
    this.#journal = [];
    this.len = mark;
  }
}

function writeRData(w: Writer, rr: ResourceRecord): void {
  switch (rr.type) {
    case "A":
      if (!isIPv4(rr.address)) throw new DnsEncodeError(`not an IPv4 address: ${rr.address}`);
      w.bytes(ipv4Bytes(rr.address));
      return;
    case "AAAA":
      w.bytes(ipv6Bytes(rr.address));
      return;
    case "CNAME":
    case "PTR":
    case "NS":
      w.name(rr.target, true);
      return;
    case "MX":
      w.u16(rr.preference);
      w.name(rr.exchange, true);
      return;
    case "SRV":
      w.u16(rr.priority);
      w.u16(rr.weight);
      w.u16(rr.port);
      w.name(rr.target, false);
      return;
    case "SOA":
      w.name(rr.mname, true);
      w.name(rr.rname, true);
      for (const v of [rr.serial, rr.refresh, rr.retry, rr.expire, rr.minimum]) w.u32(v);
      return;
    case "TXT":
      for (const s of rr.text) {
        const b = Buffer.from(s, "utf8");
        for (let i = 0; i < b.length || i === 0; i += 255) {
          const part = b.subarray(i, i + 255);
          w.u8(part.length);
          w.bytes(part);
        }
      }
      return;
    case "RAW":
      w.bytes(rr.data);
      return;
  }
}

function writeRecord(w: Writer, rr: ResourceRecord): void {
  w.name(rr.name, true);
  w.u16(recordType(rr));
  w.u16(rr.class ?? 1);
  w.u32(rr.ttl);
  const lengthAt = w.len;
  w.u16(0);
  writeRData(w, rr);
  w.buf.writeUInt16BE(w.len - lengthAt - 2, lengthAt);
}

function optSize(edns: Edns | undefined): number {
  return edns ? 11 + (edns.options?.length ?? 0) : 0;
}

function writeOpt(w: Writer, edns: Edns, rcode: number): void {
  w.u8(0);
  w.u16(RRType.OPT);
  w.u16(edns.udpSize);
  w.u32(((rcode >> 4) << 24) | (edns.version << 16) | (edns.do ? 0x8000 : 0));
  w.u16(edns.options?.length ?? 0);
  if (edns.options) w.bytes(edns.options);
}

export interface EncodeOptions {
  /** Largest message to produce (UDP: the client's payload size; TCP: 65535). */
  readonly maxSize?: number;
}

export interface Encoded {
  readonly bytes: Buffer;
  /** Whether answers (or authority records) were left out to fit `maxSize`. */
  readonly truncated: boolean;
}

/** Writes `msg`; sections that do not fit `maxSize` are cut as described above. */
export function encodeMessage(msg: DnsMessage, options: EncodeOptions = {}): Encoded {
  const limit = (options.maxSize ?? 65535) - optSize(msg.edns);
  const w = new Writer();
  w.len = 12;
  for (const q of msg.questions) {
    w.name(q.name, true);
    w.u16(q.type);
    w.u16(q.class);
  }
  let truncated = false;
  const counts = [0, 0, 0];
  const sections = [msg.answers, msg.authorities, msg.additionals];
  for (let s = 0; s < 3 && !truncated; s++) {
    for (const rr of sections[s]!) {
      const mark = w.mark();
      writeRecord(w, rr);
      if (w.len > limit) {
        w.rollback(mark);
        if (s < 2) truncated = true;
        break;
      }
      counts[s]!++;
    }
  }
  if (msg.edns) writeOpt(w, msg.edns, msg.rcode);
  const tc = msg.tc || truncated;
  const b = w.buf;
  b.writeUInt16BE(msg.id, 0);
  b[2] =
    (msg.qr ? 0x80 : 0) |
    ((msg.opcode & 15) << 3) |
    (msg.aa ? 4 : 0) |
    (tc ? 2 : 0) |
    (msg.rd ? 1 : 0);
  b[3] = (msg.ra ? 0x80 : 0) | (msg.ad ? 0x20 : 0) | (msg.cd ? 0x10 : 0) | (msg.rcode & 15);
  b.writeUInt16BE(msg.questions.length, 4);
  b.writeUInt16BE(counts[0]!, 6);
  b.writeUInt16BE(counts[1]!, 8);
  b.writeUInt16BE(counts[2]! + (msg.edns ? 1 : 0), 10);
  return { bytes: b.subarray(0, w.len), truncated };
}
