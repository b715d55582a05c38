import assert from "node:assert/strict";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { FakeClock } from "../machinery/clock.ts";
import type { LogFields, Logger } from "../machinery/log.ts";
import { EtcdSupervisor } from "./etcd-supervisor.ts";

const dir = mkdtempSync(join(tmpdir(), "bosun-etcd-sup-"));
after(() => rmSync(dir, { recursive: true, force: true }));

function recordingLog(): Logger & { lines: { level: string; msg: string; f?: LogFields }[] } {
  const lines: { level: string; msg: string; f?: LogFields }[] = [];
  const log = {
    lines,
    debug: (msg: string, f?: LogFields) => lines.push({ level: "debug", msg, ...(f ? { f } : {}) }),
    info: (msg: string, f?: LogFields) => lines.push({ level: "info", msg, ...(f ? { f } : {}) }),
    warn: (msg: string, f?: LogFields) => lines.push({ level: "warn", msg, ...(f ? { f } : {}) }),
    error: (msg: string, f?: LogFields) => lines.push({ level: "error", msg, ...(f ? { f } : {}) }),
    with: () => log,
  };
  return log;
}

const until = async (what: string, fn: () => boolean) => {
  const deadline = Date.now() + 5000;
  while (!fn()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe("etcd supervisor", () => {
  it("logs etcd's warnings, keeps its output, restarts it with back-off, and stops it", async () => {
    // A stand-in for etcd: prints zap lines; exits at once the first time, then runs until killed.
    const fake = join(dir, "fake-etcd.sh");
    const runs = join(dir, "runs");
    writeFileSync(
      fake,
      `#!/bin/sh
echo x >> ${runs}
echo '{"level":"info","msg":"starting"}'
echo '{"level":"warn","msg":"slow fdatasync","took":"1.2s"}' >&2
if [ "$(wc -l < ${runs})" -eq 1 ]; then exit 3; fi
exec sleep 30
`,
    );
    chmodSync(fake, 0o755);
    const clock = new FakeClock();
    const log = recordingLog();
    const sup = new EtcdSupervisor({
      args: ["--data-dir=/marker"],
      marker: "/marker",
      pidFile: join(dir, "etcd.pid"),
      logFile: join(dir, "etcd.log"),
      log,
      binary: fake,
      clock,
    });
    await sup.start();
    await until("the first exit", () => log.lines.some((l) => l.msg === "etcd exited; restarting"));
    const exit = log.lines.find((l) => l.msg === "etcd exited; restarting")!;
    assert.equal(exit.f?.code, 3);
    assert.equal(exit.f?.inMs, 1000);
    assert.ok(log.lines.some((l) => l.level === "warn" && l.msg === "slow fdatasync"));
    assert.ok(log.lines.some((l) => l.level === "debug" && l.msg === "starting"));
    clock.advance(999);
    assert.equal(
      readFileSync(runs, "utf8").split("\n").length - 1,
      1,
      "no restart before the back-off",
    );
    clock.advance(1);
    // Restarted once its second run has printed its warning too (the run is counted before it
    // prints: stopping it at once could cut the line that the log file is checked for below).
    await until(
      "the restart",
      () =>
        sup.running &&
        readFileSync(runs, "utf8").split("\n").length - 1 === 2 &&
        log.lines.filter((l) => l.msg === "slow fdatasync").length === 2,
    );
    const pid = Number(readFileSync(join(dir, "etcd.pid"), "utf8"));
    assert.equal(pid, sup.pid);
    await sup.stop();
    assert.equal(sup.running, false);
    assert.equal(existsSync(join(dir, "etcd.pid")), false);
    assert.match(
      readFileSync(join(dir, "etcd.log"), "utf8"),
      /slow fdatasync[\s\S]*slow fdatasync/,
    );
  });
});
