import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { formatGoDuration, formatRFC3339, formatRFC3339Micro } from "./go-format.ts";

describe("formatGoDuration matches Go's time.Duration.String()", () => {
  const cases: [bigint, string][] = [
    [0n, "0s"],
    [1n, "1ns"],
    [999n, "999ns"],
    [1_000n, "1µs"],
    [1_500n, "1.5µs"],
    [1_000_000n, "1ms"],
    [500_000_000n, "500ms"],
    [1_234_567n, "1.234567ms"],
    [1_000_000_000n, "1s"],
    [1_500_000_000n, "1.5s"],
    [30_000_000_000n, "30s"],
    [90_000_000_000n, "1m30s"],
    [3_600_000_000_000n, "1h0m0s"],
    [3_600_500_000_000n, "1h0m0.5s"],
    [360_000_000_000_000n, "100h0m0s"],
    [-5_000_000_000n, "-5s"],
    [-1n, "-1ns"],
    [9_223_372_036_854_775_807n, "2562047h47m16.854775807s"],
  ];
  for (const [ns, text] of cases) {
    it(`${ns}ns → ${text}`, () => assert.equal(formatGoDuration(ns), text));
  }
});

describe("RFC 3339 forms of metav1.Time and metav1.MicroTime", () => {
  it("formats whole seconds in UTC", () => {
    assert.equal(formatRFC3339(1704164645), "2024-01-02T03:04:05Z");
    assert.equal(formatRFC3339(0), "1970-01-01T00:00:00Z");
  });

  it("formats microseconds, truncating nanoseconds", () => {
    assert.equal(formatRFC3339Micro(1704164645, 123_456_789), "2024-01-02T03:04:05.123456Z");
    assert.equal(formatRFC3339Micro(1704164645, 0), "2024-01-02T03:04:05.000000Z");
  });
});
