/**
 * Probes through ContainerdRuntime with the fake CRI and a fake clock: readiness gates the
 * container's ready flag, a failing liveness probe gets the container killed and restarted, and
 * a startup probe holds the others back until it passes.
 */
import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import type { Probe } from "../../api/generated/types.ts";
import { type RuntimeFixture, runtimeFixture, testPod } from "./testing.ts";

let f: RuntimeFixture;
beforeEach(() => {
  f = runtimeFixture();
});
afterEach(() => f.cleanup());

const flush = () => new Promise((r) => setImmediate(r));
const ok = { stdout: Buffer.from("ok"), stderr: Buffer.alloc(0), exit_code: 0 };
const bad = { stdout: Buffer.from("not yet"), stderr: Buffer.alloc(0), exit_code: 1 };

async function advance(ms: number) {
  for (let t = 0; t < ms; t += 1000) {
    f.clock.advance(1000);
    await flush();
  }
}

const exec = (cmd: string, extra: Partial<Probe> = {}): Probe => ({
  exec: { command: cmd.split(" ") },
  periodSeconds: 1,
  failureThreshold: 2,
  ...extra,
});

describe("probes", () => {
  it("keeps a container unready until its readiness probe passes, and after it fails", async () => {
    f.cri.execResults.set("check ready", bad);
    const pod = testPod({
      containers: [
        {
          name: "app",
          image: "busybox:1.36",
          imagePullPolicy: "IfNotPresent",
          readinessProbe: exec("check ready"),
        },
      ],
    });
    let status = await f.runtime.syncPod(pod);
    assert.equal(status.containers[0]?.state, "running");
    assert.equal(status.containers[0]?.ready, false);
    await advance(3000);
    assert.ok(
      f.events.some(
        (e) =>
          e ===
          "Warning Unhealthy Readiness probe failed: command 'check ready' exited with 1: not yet",
      ),
    );
    f.cri.execResults.set("check ready", ok);
    f.changes.length = 0;
    await advance(1000);
    assert.deepEqual(f.changes, ["default/web"], "a changed result wakes the pod");
    status = await f.runtime.syncPod(pod);
    assert.equal(status.containers[0]?.ready, true);
    f.cri.execResults.set("check ready", bad);
    await advance(2000);
    status = await f.runtime.syncPod(pod);
    assert.equal(
      status.containers[0]?.ready,
      false,
      "two failures (failureThreshold) make it unready",
    );
    assert.equal(status.containers[0]?.state, "running", "readiness never restarts");
  });

  it("kills and restarts a container whose liveness probe fails", async () => {
    f.cri.execResults.set("check alive", bad);
    const pod = testPod({
      containers: [
        {
          name: "app",
          image: "busybox:1.36",
          imagePullPolicy: "IfNotPresent",
          livenessProbe: exec("check alive", { initialDelaySeconds: 2 }),
        },
      ],
    });
    let status = await f.runtime.syncPod(pod);
    assert.equal(status.containers[0]?.ready, true, "liveness does not gate readiness");
    await advance(1000);
    assert.equal(
      f.events.filter((e) => e.includes("Liveness probe failed")).length,
      0,
      "initial delay",
    );
    await advance(3000);
    await f.runtime.syncPod(pod);
    assert.ok(
      f.events.includes("Normal Killing Container app failed liveness probe, will be restarted"),
    );
    status = await f.runtime.syncPod(pod);
    assert.equal(status.containers[0]?.state, "running");
    assert.equal(status.containers[0]?.restartCount, 1);
    assert.equal(status.containers[0]?.lastTermination?.exitCode, 143);
  });

  it("runs readiness only once the startup probe has passed", async () => {
    f.cri.execResults.set("started", bad);
    f.cri.execResults.set("ready", ok);
    const pod = testPod({
      containers: [
        {
          name: "app",
          image: "busybox:1.36",
          imagePullPolicy: "IfNotPresent",
          startupProbe: exec("started", { failureThreshold: 10 }),
          readinessProbe: exec("ready"),
        },
      ],
    });
    await f.runtime.syncPod(pod);
    await advance(3000);
    let status = await f.runtime.syncPod(pod);
    assert.equal(status.containers[0]?.started, false);
    assert.equal(status.containers[0]?.ready, false);
    assert.equal(f.cri.calls.filter((c) => c.endsWith(" ready")).length, 0);
    f.cri.execResults.set("started", ok);
    await advance(3000);
    status = await f.runtime.syncPod(pod);
    assert.equal(status.containers[0]?.started, true);
    assert.equal(status.containers[0]?.ready, true);
  });
});
