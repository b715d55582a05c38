import assert from "node:assert/strict";
import { appendFileSync, mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { open } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { eventually } from "../../../client/testing/test-api.ts";
import { FakeClock } from "../../../machinery/clock.ts";
import { rfc3339ToNanos } from "./cri-log-line.ts";
import { type ContainerLogOptions, readContainerLogs, tailStartOffset } from "./log-reader.ts";

const dir = mkdtempSync(join(tmpdir(), "bosun-logs-"));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

const LOG = [
  "2026-01-01T00:00:01.5Z stdout F one",
  "2026-01-01T00:00:02Z stderr F two",
  "2026-01-01T00:00:03.000000001Z stdout P thr",
  "2026-01-01T00:00:03.2Z stdout F ee",
  "2026-01-01T00:00:04Z stdout F four",
  "",
].join("\n");

function logFile(content: string): string {
  const path = join(dir, `${n++}.log`);
  writeFileSync(path, content);
  return path;
}

async function read(content: string, options: ContainerLogOptions = {}): Promise<string> {
  let out = "";
  await readContainerLogs(logFile(content), options, {
    write: async (b) => {
      out += b.toString();
    },
  });
  return out;
}

describe("readContainerLogs", () => {
  it("writes the content of every line, partial lines joined", async () => {
    assert.equal(await read(LOG), "one\ntwo\nthree\nfour\n");
  });

  it("prefixes line starts with the timestamp (nine fraction digits)", async () => {
    assert.equal(
      await read(LOG, { timestamps: true }),
      [
        "2026-01-01T00:00:01.500000000Z one",
        "2026-01-01T00:00:02.000000000Z two",
        "2026-01-01T00:00:03.000000001Z three",
        "2026-01-01T00:00:04.000000000Z four",
        "",
      ].join("\n"),
    );
  });

  it("tails the last lines of the file (CRI lines, as upstream counts)", async () => {
    assert.equal(await read(LOG, { tailLines: 1 }), "four\n");
    assert.equal(await read(LOG, { tailLines: 2 }), "ee\nfour\n");
    assert.equal(await read(LOG, { tailLines: 100 }), "one\ntwo\nthree\nfour\n");
    assert.equal(await read(LOG, { tailLines: 0 }), "");
  });

  it("skips lines older than since", async () => {
    const since = rfc3339ToNanos("2026-01-01T00:00:03Z")!;
    assert.equal(await read(LOG, { since }), "three\nfour\n");
  });

  it("selects one stream", async () => {
    assert.equal(await read(LOG, { stream: "Stderr" }), "two\n");
    assert.equal(await read(LOG, { stream: "Stdout" }), "one\nthree\nfour\n");
  });

  it("stops at limitBytes, cutting a line", async () => {
    assert.equal(await read(LOG, { limitBytes: 6 }), "one\ntw");
    assert.equal(await read(LOG, { limitBytes: 4 }), "one\n");
  });

  it("skips lines not in the CRI format and writes an unfinished last line", async () => {
    assert.equal(
      await read("garbage\n2026-01-01T00:00:01Z stdout F ok\n2026-01-01T00:00:02Z stdout P end"),
      "ok\nend",
    );
  });

  it("opens a log caught mid-rotation once the runtime has reopened it; a missing one fails", async () => {
    const path = join(dir, `${n++}.log`);
    setTimeout(() => writeFileSync(path, LOG), 200);
    const chunks: Buffer[] = [];
    await readContainerLogs(path, {}, { write: async (b) => void chunks.push(b) });
    assert.equal(Buffer.concat(chunks).toString(), "one\ntwo\nthree\nfour\n");
    await assert.rejects(
      readContainerLogs(join(dir, "never.log"), {}, { write: async () => {} }),
      /ENOENT/,
    );
  });

  it("finds tail offsets across chunk boundaries", async () => {
    const lines = Array.from({ length: 5000 }, (_, i) => `2026-01-01T00:00:01Z stdout F line ${i}`);
    const path = logFile(`${lines.join("\n")}\n`);
    const f = await open(path);
    const offset = await tailStartOffset(f, 3000);
    await f.close();
    const text = `${lines.join("\n")}\n`;
    assert.equal(text.slice(offset).split("\n")[0], lines[2000]);
  });

  it("follows appends and rotation, and ends when the container stops", async () => {
    const clock = new FakeClock();
    const path = logFile("2026-01-01T00:00:01Z stdout F first\n");
    let out = "";
    let running = true;
    const done = readContainerLogs(
      path,
      { follow: true },
      {
        write: async (b) => {
          out += b.toString();
        },
        clock,
        pollMs: 100,
        stateCheckMs: 100,
        isRunning: async () => running,
      },
    );
    const tick = async (want: string) =>
      eventually(() => {
        clock.advance(100);
        return out === want;
      });
    await tick("first\n");
    appendFileSync(path, "2026-01-01T00:00:02Z stdout P sec\n");
    await tick("first\nsec");
    appendFileSync(path, "2026-01-01T00:00:02Z stdout F ond\n");
    await tick("first\nsecond\n");
    // Rotation: the runtime's file is renamed, written to until reopened, then created anew.
    renameSync(path, `${path}.20260101-000003`);
    appendFileSync(`${path}.20260101-000003`, "2026-01-01T00:00:03Z stdout F old file\n");
    writeFileSync(path, "2026-01-01T00:00:04Z stdout F new file\n");
    await tick("first\nsecond\nold file\nnew file\n");
    running = false;
    await eventually(async () => {
      clock.advance(100);
      return Promise.race([
        done.then(() => true),
        new Promise<false>((r) => setTimeout(() => r(false), 5)),
      ]);
    });
    assert.equal(out, "first\nsecond\nold file\nnew file\n");
  });

  it("ends a follow when the client goes away", async () => {
    const clock = new FakeClock();
    const stop = new AbortController();
    const done = readContainerLogs(
      logFile("2026-01-01T00:00:01Z stdout F x\n"),
      { follow: true },
      { write: async () => {}, clock, signal: stop.signal, isRunning: async () => true },
    );
    stop.abort();
    await done;
  });
});
