/**
 * Bytes to DNS messages. Compression pointers are followed (only backwards, with a bound on
 * jumps); records of types the cluster zone does not interpret stay raw. Malformed input throws
 * `DnsFormatError`, which the server answers with FORMERR when it could read the header.
 */
import { ipv6Text } from "./ip-text.ts";
import type { DnsMessage, Edns, Question, ResourceRecord } from "./message.ts";
import { RRType } from "./message.ts";

export class DnsFormatError extends Error {
  override name = "DnsFormatError";
}

function need(buf: Uint8Array, offset: number, n: number): void {
  if (offset + n > buf.length) throw new DnsFormatError("message ends early");
}

/** Reads a (possibly compressed) name at `offset`; `next` is the offset after it. */
export function readName(buf: Buffer, offset: number): { name: string; next: number } {
  const labels: string[] = [];
  let pos = offset;
  let next = -1;
  let jumps = 0;
  let length = 0;
  for (;;) {
    need(buf, pos, 1);
    const len = buf[pos]!;
    if (len === 0) {
      pos++;
      break;
    }
    if ((len & 0xc0) === 0xc0) {
      need(buf, pos, 2);
      const target = ((len & 0x3f) << 8) | buf[pos + 1]!;
      if (target >= pos || ++jumps > 64) throw new DnsFormatError("bad compression pointer");
      if (next < 0) next = pos + 2;
      pos = target;
      continue;
    }
    if ((len & 0xc0) !== 0) throw new DnsFormatError("unknown label type");
    need(buf, pos + 1, len);
    length += len + 1;
    if (length > 255) throw new DnsFormatError("name too long");
    labels.push(buf.toString("latin1", pos + 1, pos + 1 + len));
    pos += 1 + len;
  }
  return { name: labels.join("."), next: next < 0 ? pos : next };
}

/** The offset after the name at `offset`, without building it. */
export function skipName(buf: Uint8Array, offset: number): number {
  let pos = offset;
  for (;;) {
    need(buf, pos, 1);
    const len = buf[pos]!;
    if (len === 0) return pos + 1;
    if ((len & 0xc0) === 0xc0) {
      need(buf, pos, 2);
      return pos + 2;
    }
    if ((len & 0xc0) !== 0) throw new DnsFormatError("unknown label type");
    pos += 1 + len;
  }
}

function readRData(
  buf: Buffer,
  type: number,
  start: number,
  end: number,
  base: { name: string; ttl: number; class: number },
): ResourceRecord {
  const raw = (): ResourceRecord => ({
    ...base,
    type: "RAW",
    rrtype: type,
    data: new Uint8Array(buf.subarray(start, end)),
  });
  switch (type) {
    case RRType.A:
      if (end - start !== 4) throw new DnsFormatError("bad A record");
      return {
        ...base,
        type: "A",
        address: `${buf[start]}.${buf[start + 1]}.${buf[start + 2]}.${buf[start + 3]}`,
      };
    case RRType.AAAA:
      if (end - start !== 16) throw new DnsFormatError("bad AAAA record");
      return { ...base, type: "AAAA", address: ipv6Text(buf.subarray(start, end)) };
    case RRType.CNAME:
    case RRType.PTR:
    case RRType.NS:
      return {
        ...base,
        type: type === RRType.CNAME ? "CNAME" : type === RRType.PTR ? "PTR" : "NS",
        target: readName(buf, start).name,
      };
    case RRType.MX:
      need(buf, start, 2);
      return {
        ...base,
        type: "MX",
        preference: buf.readUInt16BE(start),
        exchange: readName(buf, start + 2).name,
      };
    case RRType.SRV:
      need(buf, start, 6);
      return {
        ...base,
        type: "SRV",
        priority: buf.readUInt16BE(start),
        weight: buf.readUInt16BE(start + 2),
        port: buf.readUInt16BE(start + 4),
        target: readName(buf, start + 6).name,
      };
    case RRType.SOA: {
      const m = readName(buf, start);
      const r = readName(buf, m.next);
      need(buf, r.next, 20);
      const u = (i: number) => buf.readUInt32BE(r.next + 4 * i);
      return {
        ...base,
        type: "SOA",
        mname: m.name,
        rname: r.name,
        serial: u(0),
        refresh: u(1),
        retry: u(2),
        expire: u(3),
        minimum: u(4),
      };
    }
    case RRType.TXT: {
      const text: string[] = [];
      for (let p = start; p < end; ) {
        const n = buf[p]!;
        need(buf, p + 1, n);
        text.push(buf.toString("utf8", p + 1, p + 1 + n));
        p += 1 + n;
      }
      return { ...base, type: "TXT", text };
    }
    default:
      return raw();
  }
}

/** Decodes a whole message. */
export function decodeMessage(input: Uint8Array): DnsMessage {
  const buf = Buffer.isBuffer(input)
    ? input
    : Buffer.from(input.buffer, input.byteOffset, input.length);
  need(buf, 0, 12);
  const flags = buf.readUInt16BE(2);
  const count = (i: number) => buf.readUInt16BE(4 + 2 * i);
  let pos = 12;
  const questions: Question[] = [];
  for (let i = 0; i < count(0); i++) {
    const { name, next } = readName(buf, pos);
    need(buf, next, 4);
    questions.push({ name, type: buf.readUInt16BE(next), class: buf.readUInt16BE(next + 2) });
    pos = next + 4;
  }
  const sections: ResourceRecord[][] = [[], [], []];
  let edns: Edns | undefined;
  let extendedRcode = 0;
  for (let s = 0; s < 3; s++) {
    for (let i = 0; i < count(s + 1); i++) {
      const { name, next } = readName(buf, pos);
      need(buf, next, 10);
      const type = buf.readUInt16BE(next);
      const klass = buf.readUInt16BE(next + 2);
      const ttl = buf.readUInt32BE(next + 4);
      const rdlength = buf.readUInt16BE(next + 8);
      const start = next + 10;
      need(buf, start, rdlength);
      pos = start + rdlength;
      if (type === RRType.OPT && s === 2) {
        extendedRcode = ttl >>> 24;
        edns = {
          udpSize: klass,
          do: (ttl & 0x8000) !== 0,
          version: (ttl >>> 16) & 0xff,
          ...(rdlength > 0 ? { options: new Uint8Array(buf.subarray(start, pos)) } : {}),
        };
        continue;
      }
      sections[s]!.push(readRData(buf, type, start, pos, { name, ttl, class: klass }));
    }
  }
  return {
    id: buf.readUInt16BE(0),
    qr: (flags & 0x8000) !== 0,
    opcode: (flags >> 11) & 15,
    aa: (flags & 0x400) !== 0,
    tc: (flags & 0x200) !== 0,
    rd: (flags & 0x100) !== 0,
    ra: (flags & 0x80) !== 0,
    ad: (flags & 0x20) !== 0,
    cd: (flags & 0x10) !== 0,
    rcode: (extendedRcode << 4) | (flags & 15),
    questions,
    answers: sections[0]!,
    authorities: sections[1]!,
    additionals: sections[2]!,
    ...(edns ? { edns } : {}),
  };
}
