import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseGoDuration } from "./go-duration.ts";

describe("parseGoDuration", () => {
  it("reads Go durations as milliseconds", () => {
    assert.equal(parseGoDuration("40s"), 40_000);
    assert.equal(parseGoDuration("1m0s"), 60_000);
    assert.equal(parseGoDuration("1h2m3.5s"), 3_723_500);
    assert.equal(parseGoDuration("500ms"), 500);
    assert.equal(parseGoDuration("1.5s"), 1500);
    assert.equal(parseGoDuration("0"), 0);
    assert.equal(parseGoDuration("-2s"), -2000);
  });

  it("rejects what Go rejects", () => {
    for (const bad of ["", "40", "s", "1x", "1s2", "--1s", "1 s"]) {
      assert.equal(parseGoDuration(bad), undefined, bad);
    }
  });
});
