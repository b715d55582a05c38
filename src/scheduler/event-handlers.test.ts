import assert from "node:assert/strict";
import { test } from "node:test";
import { nodeUpdateActions } from "./event-handlers.ts";
import { makeNode } from "./testing/fixtures.ts";

test("node heartbeats move nothing; scheduling-relevant changes name their kind", () => {
  const node = makeNode("n", { cpu: "4" });
  const heartbeat = structuredClone(node);
  heartbeat.status = {
    ...heartbeat.status,
    conditions: [{ type: "Ready", status: "True", lastHeartbeatTime: "2026-01-01T00:00:10Z" }],
  };
  assert.deepEqual(nodeUpdateActions(node, heartbeat), []);
  const changed = makeNode("n", {
    cpu: "8",
    labels: { zone: "a" },
    taints: [{ key: "k", effect: "NoSchedule" }],
  });
  assert.deepEqual(nodeUpdateActions(node, changed), [
    "UpdateNodeAllocatable",
    "UpdateNodeLabel",
    "UpdateNodeTaint",
  ]);
});
