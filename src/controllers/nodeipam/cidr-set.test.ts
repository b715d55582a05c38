import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { CIDRRangeNoCIDRsRemainingError, CidrSet } from "./cidr-set.ts";

describe("CidrSet", () => {
  it("hands out consecutive subnets, skipping occupied ones", () => {
    const set = new CidrSet("10.244.0.0/16", 24);
    assert.ok(set.occupy("10.244.1.0/24"));
    assert.equal(set.allocateNext(), "10.244.0.0/24");
    assert.equal(set.allocateNext(), "10.244.2.0/24");
    assert.equal(set.allocatedCount, 3);
    assert.equal(set.occupy("10.245.0.0/24"), false);
  });

  it("runs out, and reuses released subnets after wrapping around", () => {
    const set = new CidrSet("10.0.0.0/23", 24);
    assert.equal(set.allocateNext(), "10.0.0.0/24");
    assert.equal(set.allocateNext(), "10.0.1.0/24");
    assert.throws(() => set.allocateNext(), CIDRRangeNoCIDRsRemainingError);
    set.release("10.0.0.0/24");
    assert.equal(set.allocateNext(), "10.0.0.0/24");
  });

  it("occupies every subnet of a larger CIDR and handles IPv6", () => {
    const set = new CidrSet("10.0.0.0/22", 24);
    set.occupy("10.0.0.0/23");
    assert.equal(set.allocateNext(), "10.0.2.0/24");
    const v6 = new CidrSet("fd00:10::/56", 64);
    assert.equal(v6.allocateNext(), "fd00:10::/64");
    assert.equal(v6.allocateNext(), "fd00:10:0:1::/64");
  });

  it("rejects mask sizes outside the cluster CIDR", () => {
    assert.throws(() => new CidrSet("10.0.0.0/16", 8), /invalid mask size/);
  });
});
