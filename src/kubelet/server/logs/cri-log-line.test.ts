import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  formatLogTimestamp,
  logLineNanos,
  parseCriLogLine,
  rfc3339ToNanos,
} from "./cri-log-line.ts";

const parse = (s: string) => parseCriLogLine(Buffer.from(s));

describe("CRI log lines", () => {
  it("parses full and partial lines with their stream and time", () => {
    const full = parse("2026-11-25T16:40:26.272602455Z stdout F hello world");
    assert.equal(full?.stream, "stdout");
    assert.equal(full?.partial, false);
    assert.equal(full?.content.toString(), "hello world");
    assert.equal(
      logLineNanos(full!),
      BigInt(Date.UTC(2026, 10, 25, 16, 40, 26)) * 1_000_000n + 272602455n,
    );
    const partial = parse("2026-11-25T16:40:27.27433687Z stderr P tick");
    assert.equal(partial?.stream, "stderr");
    assert.equal(partial?.partial, true);
  });

  it("keeps content bytes as they are, spaces and all", () => {
    const line = Buffer.concat([
      Buffer.from("2026-11-25T16:40:26Z stdout F "),
      Buffer.from([0xff, 0x20, 0x00]),
    ]);
    assert.deepEqual([...parseCriLogLine(line)!.content], [0xff, 0x20, 0x00]);
    assert.equal(parse("2026-11-25T16:40:26Z stdout F ")?.content.length, 0);
    assert.equal(parse("2026-11-25T16:40:26Z stdout F")?.content.length, 0);
  });

  it("takes the tag before a colon (reserved extra tags)", () => {
    assert.equal(parse("2026-11-25T16:40:26Z stdout P:x:y data")?.partial, true);
  });

  it("rejects lines in other formats", () => {
    for (const bad of [
      "",
      "hello",
      "2026-11-25T16:40:26Z stdin F x",
      "2026-11-25T16:40:26Z stdout X x",
      "yesterday stdout F x",
      '{"log":"docker json\\n","stream":"stdout"}',
    ]) {
      assert.equal(parse(bad), undefined, bad);
    }
  });

  it("reads zone offsets and fractions of any length", () => {
    assert.equal(
      rfc3339ToNanos("2026-01-01T01:00:00+01:00"),
      rfc3339ToNanos("2026-01-01T00:00:00Z"),
    );
    assert.equal(
      rfc3339ToNanos("2026-01-01T00:00:00.5Z")! - rfc3339ToNanos("2026-01-01T00:00:00Z")!,
      500_000_000n,
    );
  });

  it("prints timestamps with nine fraction digits, as the kubelet does", () => {
    assert.equal(
      formatLogTimestamp("2026-11-25T16:40:27.27433687Z"),
      "2026-11-25T16:40:27.274336870Z",
    );
    assert.equal(formatLogTimestamp("2026-11-25T16:40:27Z"), "2026-11-25T16:40:27.000000000Z");
    assert.equal(
      formatLogTimestamp("2026-11-25T16:40:27.1+01:00"),
      "2026-11-25T16:40:27.100000000+01:00",
    );
  });
});
