import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type CorrelatedEvent, EventCorrelator } from "./event-correlator.ts";

const ev = (message: string, objectKey = "rs/default/web-1"): CorrelatedEvent => ({
  namespace: "default",
  objectKey,
  type: "Normal",
  reason: "SuccessfulCreate",
  message,
});

describe("event correlator", () => {
  it("bumps the count of a repeated event instead of creating another", () => {
    const c = new EventCorrelator();
    const first = c.correlate(ev("Created pod: a"), 0);
    assert.equal(first.action, "create");
    if (first.action !== "create") return;
    c.created(first.key, "web-1.1", "t0");
    const again = c.correlate(ev("Created pod: a"), 1000);
    assert.deepEqual(again, {
      action: "patch",
      key: first.key,
      message: "Created pod: a",
      name: "web-1.1",
      count: 2,
      firstTimestamp: "t0",
    });
    const third = c.correlate(ev("Created pod: a"), 2000);
    assert.equal(third.action === "patch" && third.count, 3);
  });

  it("combines the tenth similar event and later ones into one", () => {
    const c = new EventCorrelator();
    for (let i = 0; i < 9; i++) {
      const r = c.correlate(ev(`Created pod: p${i}`), i);
      assert.equal(r.action, "create");
      assert.equal(r.action === "create" && r.message, `Created pod: p${i}`);
      if (r.action === "create") c.created(r.key, `e${i}`, "t");
    }
    const tenth = c.correlate(ev("Created pod: p9"), 10);
    assert.equal(tenth.action, "create");
    assert.equal(
      tenth.action === "create" && tenth.message,
      "(combined from similar events): Created pod: p9",
    );
    if (tenth.action === "create") c.created(tenth.key, "combined", "t");
    const eleventh = c.correlate(ev("Created pod: p10"), 11);
    assert.equal(eleventh.action, "patch");
    if (eleventh.action !== "patch") return;
    assert.equal(eleventh.name, "combined");
    assert.equal(eleventh.count, 2);
    assert.equal(eleventh.message, "(combined from similar events): Created pod: p10");
  });

  it("starts aggregating afresh after ten quiet minutes", () => {
    const c = new EventCorrelator();
    for (let i = 0; i < 12; i++) c.correlate(ev(`m${i}`), 0);
    const later = c.correlate(ev("m-late"), 601_000);
    assert.equal(later.action === "create" && later.message, "m-late");
  });

  it("drops an object's events past a burst of 25, refilled one per five minutes", () => {
    const c = new EventCorrelator();
    const actions = Array.from({ length: 30 }, (_, i) => c.correlate(ev("same"), i).action);
    assert.equal(actions.filter((a) => a !== "skip").length, 25);
    assert.equal(c.correlate(ev("same", "rs/default/other"), 30).action, "create");
    assert.equal(c.correlate(ev("same"), 100_000).action, "skip");
    assert.notEqual(c.correlate(ev("same"), 301_000).action, "skip");
  });
});
