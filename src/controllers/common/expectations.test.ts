import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { FakeClock } from "../../machinery/clock.ts";
import { ControllerExpectations, expectationsTimeoutMs } from "./expectations.ts";

describe("controller expectations", () => {
  it("are satisfied once every creation is observed", () => {
    const e = new ControllerExpectations(new FakeClock());
    assert.equal(e.satisfiedExpectations("ns/rs"), true);
    e.expectCreations("ns/rs", 2);
    assert.equal(e.satisfiedExpectations("ns/rs"), false);
    e.creationObserved("ns/rs");
    assert.equal(e.satisfiedExpectations("ns/rs"), false);
    e.creationObserved("ns/rs");
    assert.equal(e.satisfiedExpectations("ns/rs"), true);
  });

  it("count each expected deletion once, ignoring unexpected pods", () => {
    const e = new ControllerExpectations(new FakeClock());
    e.expectDeletions("ns/rs", ["ns/a", "ns/b"]);
    e.deletionObserved("ns/rs", "ns/a");
    e.deletionObserved("ns/rs", "ns/a");
    e.deletionObserved("ns/rs", "ns/other");
    assert.deepEqual(e.get("ns/rs"), { add: 0, del: 1 });
    e.deletionObserved("ns/rs", "ns/b");
    assert.equal(e.satisfiedExpectations("ns/rs"), true);
  });

  it("expire after five minutes", () => {
    const clock = new FakeClock();
    const e = new ControllerExpectations(clock);
    e.expectCreations("ns/rs", 1);
    clock.advance(expectationsTimeoutMs + 1);
    assert.equal(e.satisfiedExpectations("ns/rs"), true);
  });
});
