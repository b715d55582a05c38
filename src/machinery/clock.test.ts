import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { FakeClock, realClock } from "./clock.ts";

describe("clocks", () => {
  it("real timers longer than setTimeout's 24.8-day limit wait instead of firing at once", async () => {
    let fired = 0;
    const long = realClock.after(30 * 24 * 3600_000, () => fired++);
    let short = 0;
    realClock.after(5, () => short++);
    await new Promise((r) => setTimeout(r, 60));
    assert.equal(short, 1);
    assert.equal(fired, 0);
    long.cancel();
  });

  it("fake timers fire in order as time is advanced, and not once cancelled", () => {
    const clock = new FakeClock(0);
    const order: string[] = [];
    clock.after(20, () => order.push("b"));
    clock.after(10, () => order.push("a"));
    clock.after(15, () => order.push("x")).cancel();
    clock.advance(19);
    assert.deepEqual(order, ["a"]);
    clock.advance(1);
    assert.deepEqual(order, ["a", "b"]);
    assert.equal(clock.now(), 20);
  });
});
