import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { FakeClock } from "../machinery/clock.ts";
import { SyncRunner } from "./sync-runner.ts";

const tick = () => new Promise((r) => setImmediate(r));

function setup(fail: () => boolean = () => false) {
  const clock = new FakeClock();
  const runs: number[] = [];
  const errors: number[] = [];
  const runner = new SyncRunner({
    clock,
    minIntervalMs: 1000,
    maxRetryMs: 8000,
    sync: async () => {
      runs.push(clock.now());
      if (fail()) throw new Error("boom");
    },
    onError: (_, retry) => errors.push(retry),
  });
  return { clock, runs, errors, runner, t0: clock.now() };
}

describe("SyncRunner", () => {
  it("runs the first request at once and coalesces requests within the interval", async () => {
    const { clock, runs, runner, t0 } = setup();
    runner.request();
    clock.advance(0);
    await runner.idle();
    assert.deepEqual(runs, [t0]);
    for (let i = 0; i < 5; i++) {
      clock.advance(100);
      runner.request();
    }
    await tick();
    assert.equal(runs.length, 1, "no second run inside the minimum interval");
    clock.advance(500);
    await runner.idle();
    assert.deepEqual(runs, [t0, t0 + 1000]);
  });

  it("runs again after a sync that was requested while running", async () => {
    const { clock, runs, runner } = setup();
    runner.request();
    clock.advance(0);
    runner.request(); // While the first sync is still running.
    await runner.idle();
    await tick();
    clock.advance(1000);
    await runner.idle();
    assert.equal(runs.length, 2);
  });

  it("retries failures with doubling back-off up to the maximum", async () => {
    let failing = 4;
    const { clock, runs, errors, runner } = setup(() => failing-- > 0);
    runner.request();
    clock.advance(0);
    for (let i = 0; i < 5; i++) {
      await runner.idle();
      await tick();
      clock.advance(8000);
    }
    await runner.idle();
    assert.deepEqual(errors, [1000, 2000, 4000, 8000]);
    assert.equal(runs.length, 5);
  });

  it("with quick holds, waits in proportion to the last sync's cost, within floor and interval", async () => {
    const clock = new FakeClock();
    const runs: number[] = [];
    const costs = [10, 120, 400, 10];
    const runner = new SyncRunner({
      clock,
      minIntervalMs: 1000,
      quick: { floorMs: 100, busyFactor: 5 },
      sync: async () => {
        runs.push(clock.now());
        await tick(); // Out of the timer's own advance before spending time.
        clock.advance(costs.shift() ?? 0);
      },
    });
    /** Requests a sync and steps time until it runs: the gap since the previous run. */
    const gapToNext = async () => {
      const n = runs.length;
      runner.request();
      for (let i = 0; i < 300 && runs.length === n; i++) {
        clock.advance(5);
        await runner.idle();
        await tick();
      }
      return runs.at(-1)! - runs.at(-2)!;
    };
    runner.request();
    clock.advance(0);
    await runner.idle();
    assert.equal(await gapToNext(), 100, "after a 10 ms sync: the floor");
    assert.equal(await gapToNext(), 600, "after a 120 ms sync: five times its cost");
    assert.equal(await gapToNext(), 1000, "after a 400 ms sync: no more than the interval");
  });

  it("with a cost, holds by the CPU a sync used, not by the time it waited for the cores", async () => {
    const clock = new FakeClock();
    const runs: number[] = [];
    let cpu = 0;
    const runner = new SyncRunner({
      clock,
      minIntervalMs: 1000,
      quick: { floorMs: 100, busyFactor: 5 },
      cost: () => cpu,
      sync: async () => {
        runs.push(clock.now());
        await tick();
        clock.advance(400); // 400 ms on the wall clock, on a busy node…
        cpu += 30; // …of which it used 30 ms of CPU.
      },
    });
    runner.request();
    clock.advance(0);
    await runner.idle();
    runner.request();
    for (let i = 0; i < 100 && runs.length === 1; i++) {
      clock.advance(5);
      await runner.idle();
      await tick();
    }
    // The hold is 5 × 30 ms, over by the time the sync ended: the next one starts at once. By
    // the wall clock it would have been 5 × 400 ms, capped at the interval.
    assert.equal(runs[1]! - runs[0]!, 400);
  });

  it("with a burst of two, runs a second sync at once, then one per interval", async () => {
    const clock = new FakeClock();
    const runs: number[] = [];
    const runner = new SyncRunner({
      clock,
      minIntervalMs: 1000,
      burst: 2,
      sync: async () => {
        runs.push(clock.now());
      },
    });
    const t0 = clock.now();
    const step = async (ms: number) => {
      clock.advance(ms);
      await runner.idle();
      await tick();
    };
    runner.request();
    await step(0);
    clock.advance(50);
    runner.request(); // A second change just after the first sync: the burst's second token.
    await step(0);
    assert.deepEqual(runs, [t0, t0 + 50]);
    runner.request(); // The bucket is empty: this one waits for a token (one per interval).
    await step(0);
    assert.equal(runs.length, 2);
    await step(949);
    assert.equal(runs.length, 2, "not before the interval has refilled one token");
    await step(1);
    assert.deepEqual(runs, [t0, t0 + 50, t0 + 1000]);
    // Quiet for a while: the bucket fills again, to two and no more.
    await step(5000);
    for (const gap of [0, 10, 10]) {
      clock.advance(gap);
      runner.request();
      await step(0);
    }
    assert.deepEqual(runs.slice(3), [t0 + 6000, t0 + 6010], "two at once, the third waits");
    await step(1000);
    assert.equal(runs.length, 6);
  });

  it("does nothing after stop", async () => {
    const { clock, runs, runner } = setup();
    runner.stop();
    runner.request();
    clock.advance(5000);
    await tick();
    assert.equal(runs.length, 0);
  });
});
