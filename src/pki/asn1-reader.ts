/**
 * A DER decoder: turns bytes into a tree of TLV nodes and reads the primitive types X.509 and
 * PKCS#10 use. Malformed input throws `Asn1Error`; callers wrap it with what they were reading.
 */
import { Tag } from "./asn1-writer.ts";

export class Asn1Error extends Error {
  override readonly name = "Asn1Error";
}

export interface Asn1Node {
  /** The identifier octet (class, constructed bit and tag number below 31). */
  readonly tag: number;
  /** The contents octets. */
  readonly contents: Buffer;
  /** The whole TLV, as it appeared in the input (for signatures and raw names). */
  readonly der: Buffer;
}

/** Decodes exactly one TLV; trailing bytes are an error. */
export function readDer(bytes: Uint8Array): Asn1Node {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const node = readAt(buf, 0);
  if (node.der.length !== buf.length) throw new Asn1Error("trailing bytes after DER value");
  return node;
}

function readAt(buf: Buffer, offset: number): Asn1Node {
  const tag = buf[offset];
  const first = buf[offset + 1];
  if (tag === undefined || first === undefined) throw new Asn1Error("truncated DER value");
  if ((tag & 0x1f) === 0x1f) throw new Asn1Error("high tag numbers are not supported");
  let length = first;
  let header = 2;
  if (first & 0x80) {
    const count = first & 0x7f;
    if (count === 0 || count > 4) throw new Asn1Error("indefinite or oversized DER length");
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + (buf[offset + 2 + i] ?? 0);
    header += count;
  }
  const end = offset + header + length;
  if (end > buf.length) throw new Asn1Error("DER length exceeds the input");
  return { tag, contents: buf.subarray(offset + header, end), der: buf.subarray(offset, end) };
}

/** The elements of a constructed node (SEQUENCE, SET, explicit tag). */
export function children(node: Asn1Node): Asn1Node[] {
  if (!(node.tag & 0x20)) throw new Asn1Error(`tag 0x${node.tag.toString(16)} is not constructed`);
  const out: Asn1Node[] = [];
  for (let offset = 0; offset < node.contents.length; ) {
    const child = readAt(node.contents, offset);
    out.push(child);
    offset += child.der.length;
  }
  return out;
}

/** Checks a node's tag; `what` names it in the error. */
export function expect(node: Asn1Node | undefined, tag: number, what: string): Asn1Node {
  if (!node) throw new Asn1Error(`${what}: missing`);
  if (node.tag !== tag) {
    throw new Asn1Error(
      `${what}: expected tag 0x${tag.toString(16)}, got 0x${node.tag.toString(16)}`,
    );
  }
  return node;
}

/** The children of a SEQUENCE, checking the tag. */
export const sequenceOf = (node: Asn1Node | undefined, what: string): Asn1Node[] =>
  children(expect(node, Tag.SEQUENCE, what));

export function readOid(node: Asn1Node | undefined): string {
  const bytes = expect(node, Tag.OID, "OBJECT IDENTIFIER").contents;
  const arcs: bigint[] = [];
  let value = 0n;
  for (const byte of bytes) {
    value = (value << 7n) | BigInt(byte & 0x7f);
    if (!(byte & 0x80)) {
      arcs.push(value);
      value = 0n;
    }
  }
  const [first] = arcs;
  if (first === undefined || bytes[bytes.length - 1]! & 0x80) throw new Asn1Error("bad OID");
  const head = first < 80n ? [first / 40n, first % 40n] : [2n, first - 80n];
  return [...head, ...arcs.slice(1)].join(".");
}

export function readInteger(node: Asn1Node | undefined): bigint {
  const bytes = expect(node, Tag.INTEGER, "INTEGER").contents;
  if (bytes.length === 0) throw new Asn1Error("empty INTEGER");
  let n = BigInt.asIntN(8, BigInt(bytes[0]!));
  for (const byte of bytes.subarray(1)) n = (n << 8n) | BigInt(byte);
  return n;
}

export function readBoolean(node: Asn1Node | undefined): boolean {
  const bytes = expect(node, Tag.BOOLEAN, "BOOLEAN").contents;
  if (bytes.length !== 1) throw new Asn1Error("bad BOOLEAN");
  return bytes[0] !== 0;
}

/** A BIT STRING's bytes; `unusedBits` low bits of the last byte are padding. */
export function readBitString(node: Asn1Node | undefined): { bytes: Buffer; unusedBits: number } {
  const contents = expect(node, Tag.BIT_STRING, "BIT STRING").contents;
  const unusedBits = contents[0];
  if (unusedBits === undefined || unusedBits > 7) throw new Asn1Error("bad BIT STRING");
  return { bytes: contents.subarray(1), unusedBits };
}

/** Any of the X.520 string types, as a JavaScript string. */
export function readString(node: Asn1Node | undefined): string {
  if (!node) throw new Asn1Error("string: missing");
  switch (node.tag) {
    case Tag.UTF8_STRING:
    case Tag.PRINTABLE_STRING:
    case Tag.IA5_STRING:
      return node.contents.toString("utf8");
    case Tag.T61_STRING:
      return node.contents.toString("latin1");
    case Tag.BMP_STRING:
      return Buffer.from(node.contents).swap16().toString("utf16le");
    case Tag.UNIVERSAL_STRING: {
      let s = "";
      for (let i = 0; i + 3 < node.contents.length; i += 4) {
        s += String.fromCodePoint(node.contents.readUInt32BE(i));
      }
      return s;
    }
    default:
      throw new Asn1Error(`tag 0x${node.tag.toString(16)} is not a string`);
  }
}

/** UTCTime or GeneralizedTime in the `…Z` form RFC 5280 requires. */
export function readTime(node: Asn1Node | undefined): Date {
  if (!node) throw new Asn1Error("time: missing");
  const s = node.contents.toString("ascii");
  let full: string;
  if (node.tag === Tag.UTC_TIME && /^\d{12}Z$/.test(s)) {
    full = `${Number(s.slice(0, 2)) < 50 ? "20" : "19"}${s}`;
  } else if (node.tag === Tag.GENERALIZED_TIME && /^\d{14}Z$/.test(s)) {
    full = s;
  } else {
    throw new Asn1Error(`bad time ${JSON.stringify(s)}`);
  }
  const f = (a: number, b: number) => Number(full.slice(a, b));
  return new Date(Date.UTC(f(0, 4), f(4, 6) - 1, f(6, 8), f(8, 10), f(10, 12), f(12, 14)));
}
