import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { slowStartBatch } from "./slow-start.ts";

describe("slowStartBatch", () => {
  it("runs batches of 1, 2, 4, … concurrently", async () => {
    const batches: number[] = [];
    let inFlight = 0;
    let peak = 0;
    const result = await slowStartBatch(20, 1, async () => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((r) => setTimeout(r, 1));
      inFlight--;
      if (inFlight === 0) batches.push(peak);
      if (inFlight === 0) peak = 0;
    });
    assert.deepEqual(result, { successes: 20 });
    assert.deepEqual(batches, [1, 2, 4, 8, 5]);
  });

  it("stops after the first batch with a failure", async () => {
    let calls = 0;
    const result = await slowStartBatch(100, 1, async () => {
      calls++;
      if (calls === 5) throw new Error("quota");
    });
    // Batches 1, 2, 4: the third batch (calls 4–7) fails once, nothing after it runs.
    assert.equal(calls, 7);
    assert.equal(result.successes, 6);
    assert.equal((result.error as Error).message, "quota");
  });
});
