import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { onAbort, untilAborted } from "./abort.ts";

describe("abort helpers", () => {
  it("run the callback for a signal that aborts later", async () => {
    const stop = new AbortController();
    let calls = 0;
    onAbort(stop.signal, () => calls++);
    assert.equal(calls, 0);
    stop.abort();
    stop.abort();
    assert.equal(calls, 1);
  });

  it("run the callback for a signal that has already aborted", async () => {
    let calls = 0;
    onAbort(AbortSignal.abort(), () => calls++);
    await Promise.resolve();
    assert.equal(calls, 1);
    // The case the helper exists for: waiting after the abort still ends.
    await untilAborted(AbortSignal.abort());
  });
});
