import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { bytesToIP, canonicalIP, ipToBytes } from "./ip.ts";

describe("ip", () => {
  it("converts IPv4 both ways", () => {
    assert.equal(ipToBytes("10.96.0.1").toString("hex"), "0a600001");
    assert.equal(bytesToIP(Buffer.of(127, 0, 0, 1)), "127.0.0.1");
  });

  it("converts IPv6 both ways in RFC 5952 form", () => {
    assert.equal(ipToBytes("::1").toString("hex"), `${"0".repeat(30)}01`);
    assert.equal(ipToBytes("fd00::10").toString("hex"), `fd00${"0".repeat(24)}0010`);
    assert.equal(canonicalIP("::1"), "::1");
    assert.equal(canonicalIP("::"), "::");
    assert.equal(canonicalIP("FD00:0:0:0:0:0:0:10"), "fd00::10");
    assert.equal(canonicalIP("2001:db8:0:0:1:0:0:1"), "2001:db8::1:0:0:1");
    assert.equal(canonicalIP("2001:db8:0:1:1:1:1:1"), "2001:db8:0:1:1:1:1:1");
    assert.equal(canonicalIP("::ffff:10.0.0.1"), "::ffff:a00:1");
    assert.equal(canonicalIP("1::"), "1::");
  });

  it("rejects what is not an address", () => {
    assert.throws(() => ipToBytes("10.0.0"), RangeError);
    assert.throws(() => ipToBytes("example.com"), RangeError);
    assert.throws(() => bytesToIP(Buffer.alloc(5)), RangeError);
  });
});
