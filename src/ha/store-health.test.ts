import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { FakeClock } from "../machinery/clock.ts";
import { silentLogger } from "../machinery/log.ts";
import { StoreHealthProbe } from "./store-health.ts";

const tick = () => new Promise((r) => setImmediate(r));

describe("etcd readiness probe", () => {
  it("passes while reads answer, fails without quorum or on timeout, and recovers", async () => {
    const clock = new FakeClock();
    let mode: "ok" | "fail" | "hang" = "ok";
    const probe = new StoreHealthProbe({
      clock,
      log: silentLogger,
      intervalMs: 1000,
      timeoutMs: 2000,
      check: () =>
        mode === "ok"
          ? Promise.resolve()
          : mode === "fail"
            ? Promise.reject(new Error("etcdserver: no leader"))
            : new Promise<void>(() => {}),
    });
    await probe.start();
    assert.deepEqual(probe.state, { ok: true });
    mode = "fail";
    clock.advance(1000);
    await tick();
    assert.deepEqual(probe.state, { ok: false, message: "reason withheld" });
    mode = "ok";
    clock.advance(1000);
    await tick();
    assert.equal(probe.state.ok, true);
    mode = "hang"; // a member cut off from its peers may not answer at all
    clock.advance(1000);
    await tick();
    assert.equal(probe.state.ok, true, "still waiting for the answer");
    clock.advance(2000);
    await tick();
    assert.equal(probe.state.ok, false);
    probe.stop();
  });
});
