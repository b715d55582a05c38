import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseSchedule } from "./cron-schedule.ts";
import { formatRFC1123Z, formatRFC3339InZone } from "./zone-time.ts";

const t = (iso: string) => Date.parse(iso);
const iso = (ms: number | undefined) => (ms === undefined ? "none" : new Date(ms).toISOString());

function nextN(spec: string, zone: string, from: string, n: number): string[] {
  const s = parseSchedule(spec, zone);
  const out: string[] = [];
  let at = t(from);
  for (let i = 0; i < n; i++) {
    const next = s.next(at);
    out.push(iso(next));
    if (next === undefined) break;
    at = next;
  }
  return out;
}

describe("cron schedule", () => {
  it("steps, ranges and lists", () => {
    assert.deepEqual(nextN("*/15 * * * *", "UTC", "2026-01-01T00:00:00Z", 3), [
      "2026-01-01T00:15:00.000Z",
      "2026-01-01T00:30:00.000Z",
      "2026-01-01T00:45:00.000Z",
    ]);
    assert.deepEqual(nextN("5 9-10 * * *", "UTC", "2026-01-01T09:05:00Z", 3), [
      "2026-01-01T10:05:00.000Z",
      "2026-01-02T09:05:00.000Z",
      "2026-01-02T10:05:00.000Z",
    ]);
    assert.deepEqual(nextN("0 0 1,15 * *", "UTC", "2026-01-01T12:00:00Z", 2), [
      "2026-01-15T00:00:00.000Z",
      "2026-02-01T00:00:00.000Z",
    ]);
  });

  it("names and descriptors", () => {
    // 2026-01-01 is a Thursday.
    assert.deepEqual(nextN("0 12 * jan mon", "UTC", "2026-01-01T00:00:00Z", 1), [
      "2026-01-05T12:00:00.000Z",
    ]);
    assert.deepEqual(nextN("@hourly", "UTC", "2026-01-01T00:30:00Z", 1), [
      "2026-01-01T01:00:00.000Z",
    ]);
    assert.deepEqual(nextN("@weekly", "UTC", "2026-01-01T00:00:00Z", 1), [
      "2026-01-04T00:00:00.000Z",
    ]);
    assert.deepEqual(nextN("@yearly", "UTC", "2026-01-01T00:00:00Z", 1), [
      "2027-01-01T00:00:00.000Z",
    ]);
    assert.deepEqual(nextN("@every 90s", "UTC", "2026-01-01T00:00:00.500Z", 1), [
      "2026-01-01T00:01:30.000Z",
    ]);
  });

  it("day of month OR day of week when both are restricted", () => {
    // The 13th, or any Friday.
    assert.deepEqual(nextN("0 0 13 * 5", "UTC", "2026-01-01T00:00:00Z", 3), [
      "2026-01-02T00:00:00.000Z",
      "2026-01-09T00:00:00.000Z",
      "2026-01-13T00:00:00.000Z",
    ]);
    // With a star in one day field, both must match: Fridays in any month.
    assert.deepEqual(nextN("0 0 * * 5", "UTC", "2026-01-01T00:00:00Z", 1), [
      "2026-01-02T00:00:00.000Z",
    ]);
  });

  it("time zones, including daylight-saving transitions", () => {
    assert.deepEqual(nextN("0 9 * * *", "America/New_York", "2026-01-01T00:00:00Z", 1), [
      "2026-01-01T14:00:00.000Z",
    ]);
    assert.deepEqual(nextN("TZ=Asia/Tokyo 0 9 * * *", "UTC", "2026-01-01T00:00:00Z", 1), [
      "2026-01-02T00:00:00.000Z",
    ]);
    // 2026-03-08 02:30 does not exist in New York: that day is skipped.
    assert.deepEqual(nextN("30 2 * * *", "America/New_York", "2026-03-07T08:00:00Z", 2), [
      "2026-03-09T06:30:00.000Z",
      "2026-03-10T06:30:00.000Z",
    ]);
    // 2026-11-01 01:30 happens twice in New York, and both run (as robfig/cron does).
    assert.deepEqual(nextN("30 1 * * *", "America/New_York", "2026-11-01T04:00:00Z", 3), [
      "2026-11-01T05:30:00.000Z",
      "2026-11-01T06:30:00.000Z",
      "2026-11-02T06:30:00.000Z",
    ]);
  });

  it("impossible dates never fire", () => {
    assert.deepEqual(nextN("0 0 30 2 *", "UTC", "2026-01-01T00:00:00Z", 1), ["none"]);
  });

  it("rejects what the API rejects", () => {
    assert.throws(() => parseSchedule("* * *", "UTC"), /expected exactly 5 fields/);
  });

  it("formats times as Go does", () => {
    assert.equal(
      formatRFC3339InZone(t("2026-01-01T05:05:00Z"), "America/New_York"),
      "2026-01-01T00:05:00-05:00",
    );
    assert.equal(formatRFC3339InZone(t("2026-01-01T05:05:00Z"), ""), "2026-01-01T05:05:00Z");
    assert.equal(formatRFC1123Z(t("2026-01-01T00:05:00Z")), "Thu, 01 Jan 2026 00:05:00 +0000");
  });
});
