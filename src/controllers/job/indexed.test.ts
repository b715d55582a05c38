import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { remainingBackoff } from "./backoff.ts";
import {
  firstPendingIndexes,
  formatIntervals,
  generateNameWithIndex,
  parseIntervals,
  totalOf,
  withOrderedIndexes,
} from "./indexed.ts";

describe("completion indexes", () => {
  it("parses, merges and formats intervals", () => {
    const parsed = parseIntervals("0,2-4,9,x,12", 10);
    assert.equal(formatIntervals(parsed), "0,2-4,9");
    assert.equal(totalOf(parsed), 5);
    assert.equal(formatIntervals(withOrderedIndexes(parsed, [1, 5, 7])), "0-5,7,9");
    assert.equal(formatIntervals(parseIntervals("", 3)), "");
  });

  it("finds the first pending indexes", () => {
    const done = parseIntervals("0,3", 6);
    assert.deepEqual(firstPendingIndexes(done, new Set([1]), 2, 6), [2, 4]);
    assert.deepEqual(firstPendingIndexes(done, new Set(), 10, 6), [1, 2, 4, 5]);
  });

  it("shortens long job names in generated pod names", () => {
    assert.equal(generateNameWithIndex("job", 3), "job-3-");
    const long = "a".repeat(63);
    const name = generateNameWithIndex(long, 12);
    assert.equal(name.length, 58);
    assert.ok(name.endsWith("-12-"));
  });
});

describe("pod failure back-off", () => {
  const record = (failures: number, last: number) => ({
    key: "k",
    failuresAfterLastSuccess: failures,
    lastFailureTime: last,
  });
  it("doubles from 10 s and caps at 6 minutes", () => {
    assert.equal(remainingBackoff(record(0, 0), 0), 0);
    assert.equal(remainingBackoff(record(1, 0), 0), 10_000);
    assert.equal(remainingBackoff(record(3, 0), 5_000), 35_000);
    assert.equal(remainingBackoff(record(10, 0), 0), 360_000);
    assert.equal(remainingBackoff(record(1, 0), 11_000), 0);
  });
});
