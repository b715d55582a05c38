import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { NodeCondition } from "../api/generated/types.ts";
import { nodeStatusEvents } from "./node-events.ts";
import { nodeConditions } from "./node-status.ts";

const statuses = (ready: string): NodeCondition[] => [
  { type: "MemoryPressure", status: "False" },
  { type: "DiskPressure", status: "False" },
  { type: "PIDPressure", status: "False" },
  { type: "Ready", status: ready },
];

describe("kubelet node events", () => {
  it("announces every condition of a new node, in upstream's words", () => {
    assert.deepEqual(nodeStatusEvents(undefined, nodeConditions(true, "t")), [
      "NodeHasSufficientMemory",
      "NodeHasNoDiskPressure",
      "NodeHasSufficientPID",
      "NodeReady",
    ]);
  });

  it("records only what changed", () => {
    assert.deepEqual(nodeStatusEvents(statuses("True"), statuses("True")), []);
    assert.deepEqual(nodeStatusEvents(statuses("True"), statuses("False")), ["NodeNotReady"]);
    assert.deepEqual(nodeStatusEvents(statuses("Unknown"), statuses("True")), ["NodeReady"]);
    assert.deepEqual(
      nodeStatusEvents(statuses("True"), [{ type: "MemoryPressure", status: "True" }]),
      ["NodeHasInsufficientMemory"],
    );
  });
});
