import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  Asn1Error,
  children,
  readBitString,
  readBoolean,
  readDer,
  readInteger,
  readOid,
  readString,
  readTime,
} from "./asn1-reader.ts";
import {
  bitString,
  boolean,
  integer,
  namedBits,
  octetString,
  oid,
  sequence,
  setOf,
  Tag,
  time,
  tlv,
  unsignedInteger,
  utf8String,
} from "./asn1-writer.ts";

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

describe("asn1 writer", () => {
  it("encodes integers minimally, with a leading zero when the top bit is set", () => {
    assert.equal(hex(integer(0)), "020100");
    assert.equal(hex(integer(127)), "02017f");
    assert.equal(hex(integer(128)), "02020080");
    assert.equal(hex(integer(256)), "02020100");
    assert.equal(hex(unsignedInteger(Buffer.from("0000ff", "hex"))), "020200ff");
    assert.equal(hex(unsignedInteger(Buffer.alloc(3))), "020100");
    assert.throws(() => integer(-1), RangeError);
  });

  it("encodes object identifiers", () => {
    assert.equal(hex(oid("1.2.840.113549")), "06062a864886f70d");
    assert.equal(hex(oid("2.5.29.17")), "0603551d11");
    assert.equal(hex(oid("2.999.3")), "0603883703");
    assert.throws(() => oid("3.1"), RangeError);
  });

  it("encodes long lengths in the fewest octets", () => {
    assert.equal(hex(octetString(Buffer.alloc(127)).subarray(0, 2)), "047f");
    assert.equal(hex(octetString(Buffer.alloc(128)).subarray(0, 3)), "048180");
    assert.equal(hex(octetString(Buffer.alloc(256)).subarray(0, 4)), "04820100");
    assert.equal(hex(octetString(Buffer.alloc(65536)).subarray(0, 5)), "0483010000");
  });

  it("encodes named bits without trailing zero bits", () => {
    assert.equal(hex(namedBits([0, 2])), "030205a0"); // digitalSignature, keyEncipherment
    assert.equal(hex(namedBits([0, 2, 5])), "030202a4"); // … keyCertSign
    assert.equal(hex(namedBits([8])), "0303070080");
    assert.equal(hex(namedBits([])), "030100");
  });

  it("uses UTCTime before 2050 and GeneralizedTime after", () => {
    assert.equal(time(new Date("2026-01-02T03:04:05.678Z")).toString("latin1", 2), "260102030405Z");
    assert.equal(time(new Date("2026-01-02T03:04:05Z"))[0], Tag.UTC_TIME);
    const late = time(new Date("2050-01-01T00:00:00Z"));
    assert.equal(late[0], Tag.GENERALIZED_TIME);
    assert.equal(late.toString("latin1", 2), "20500101000000Z");
  });

  it("sorts the elements of a SET OF", () => {
    assert.equal(hex(setOf(integer(2), integer(1))), "3106020101020102");
  });
});

describe("asn1 reader", () => {
  it("reads back what the writer wrote", () => {
    const when = new Date("2049-12-31T23:59:59Z");
    const later = new Date("2150-06-01T12:00:00Z");
    const der = sequence(
      integer(2n ** 70n),
      oid("1.3.6.1.4.1.311.21.20"),
      boolean(true),
      utf8String("système:masters"),
      bitString(Buffer.of(1, 2), 0),
      time(when),
      time(later),
    );
    const [i, o, b, s, bits, t1, t2] = children(readDer(der));
    assert.equal(readInteger(i), 2n ** 70n);
    assert.equal(readOid(o), "1.3.6.1.4.1.311.21.20");
    assert.equal(readBoolean(b), true);
    assert.equal(readString(s), "système:masters");
    assert.deepEqual(readBitString(bits), { bytes: Buffer.of(1, 2), unusedBits: 0 });
    assert.deepEqual(readTime(t1), when);
    assert.deepEqual(readTime(t2), later);
  });

  it("reads negative integers and the other string types", () => {
    assert.equal(readInteger(readDer(Buffer.from("0201ff", "hex"))), -1n);
    assert.equal(readString(readDer(tlv(Tag.BMP_STRING, Buffer.from("00680069", "hex")))), "hi");
    assert.equal(readString(readDer(tlv(Tag.PRINTABLE_STRING, Buffer.from("CA")))), "CA");
    assert.equal(
      readString(readDer(tlv(Tag.UNIVERSAL_STRING, Buffer.from("0001f600", "hex")))),
      "😀",
    );
  });

  it("rejects malformed input", () => {
    assert.throws(() => readDer(Buffer.from("3004020101", "hex")), Asn1Error); // truncated
    assert.throws(() => readDer(Buffer.from("02010100", "hex")), Asn1Error); // trailing
    assert.throws(() => readDer(Buffer.from("30800201010000", "hex")), Asn1Error); // indefinite
    assert.throws(() => readDer(Buffer.from("1f2200", "hex")), Asn1Error); // high tag
    assert.throws(() => children(readDer(integer(1))), Asn1Error);
    assert.throws(() => readOid(readDer(integer(1))), Asn1Error);
    assert.throws(
      () => readTime(readDer(tlv(Tag.UTC_TIME, Buffer.from("2601020304Z")))),
      Asn1Error,
    );
  });
});
