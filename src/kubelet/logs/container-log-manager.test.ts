import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { gunzipSync } from "node:zlib";
import { FakeClock } from "../../machinery/clock.ts";
import type { Container, ContainerStatus } from "../cri/types.ts";
import { ContainerLogManager, rotationSuffix } from "./container-log-manager.ts";

const dir = mkdtempSync(join(tmpdir(), "bosun-log-rotation-"));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A runtime with one running container whose log "reopens" by creating the file anew. */
function fakeRuntime(path: string) {
  const calls: string[] = [];
  return {
    calls,
    runtime: {
      listContainers: async () => [{ id: "c1", state: "CONTAINER_RUNNING" } as Container],
      containerStatus: async () => ({ id: "c1", log_path: path }) as ContainerStatus,
      reopenContainerLog: async (id: string) => {
        calls.push(`reopen ${id}`);
        writeFileSync(path, "");
      },
    },
  };
}

describe("container log rotation", () => {
  it("formats the rotation suffix as upstream (20060102-150405, UTC)", () => {
    assert.equal(rotationSuffix(Date.UTC(2026, 0, 2, 3, 4, 5)), "20260102-030405");
  });

  it("rotates a log over the size limit, compresses older ones and keeps maxFiles", async () => {
    const path = join(dir, "0.log");
    const { runtime, calls } = fakeRuntime(path);
    const clock = new FakeClock(Date.UTC(2026, 0, 1));
    const manager = new ContainerLogManager({
      runtime,
      clock,
      policy: { maxSizeBytes: 100, maxFiles: 3 },
    });
    writeFileSync(path, "small\n");
    await manager.rotateLogs();
    assert.deepEqual(calls, [], "below the limit nothing happens");
    for (let i = 0; i < 4; i++) {
      writeFileSync(path, `generation ${i} ${"x".repeat(100)}\n`);
      clock.advance(60_000);
      await manager.rotateLogs();
    }
    assert.equal(calls.length, 4);
    const files = readdirSync(dir).sort();
    // The current file, the newest rotation as is, one older compressed: 3 files.
    assert.deepEqual(files, ["0.log", "0.log.20260101-000300.gz", "0.log.20260101-000400"]);
    assert.match(readFileSync(join(dir, "0.log.20260101-000400"), "utf8"), /^generation 3 /);
    assert.match(
      gunzipSync(readFileSync(join(dir, "0.log.20260101-000300.gz"))).toString(),
      /^generation 2 /,
    );
    assert.equal(readFileSync(path, "utf8"), "");
  });

  it("puts the file back when the runtime cannot reopen it", async () => {
    const path = join(dir, "1.log");
    writeFileSync(path, "y".repeat(200));
    const manager = new ContainerLogManager({
      runtime: {
        listContainers: async () => [{ id: "c2", state: "CONTAINER_RUNNING" } as Container],
        containerStatus: async () => ({ id: "c2", log_path: path }) as ContainerStatus,
        reopenContainerLog: async () => {
          throw new Error("container not running");
        },
      },
      clock: new FakeClock(),
      policy: { maxSizeBytes: 100 },
    });
    await manager.rotateLogs();
    assert.ok(existsSync(path));
    assert.equal(readdirSync(dir).filter((f) => f.startsWith("1.log.")).length, 0);
  });
});
