import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { formatTime, parseTime } from "./time.ts";

describe("metav1.Time", () => {
  it("formats whole seconds in UTC, whichever second came before", () => {
    const t = Date.UTC(2026, 10, 27, 5, 7, 25, 999);
    assert.equal(formatTime(t), "2026-11-27T05:07:25Z");
    assert.equal(formatTime(t - 999), "2026-11-27T05:07:25Z");
    assert.equal(formatTime(t + 1), "2026-11-27T05:07:26Z");
    assert.equal(formatTime(t - 1000), "2026-11-27T05:07:24Z");
    assert.equal(formatTime(0), "1970-01-01T00:00:00Z");
  });

  it("parses what it formats, and nothing for an absent or bad time", () => {
    assert.equal(parseTime("2026-11-27T05:07:25Z"), Date.UTC(2026, 10, 27, 5, 7, 25));
    assert.equal(parseTime(undefined), undefined);
    assert.equal(parseTime("yesterday"), undefined);
  });
});
