/**
 * Scheduling throughput micro-benchmark: 1,000 nodes, 5,000 pods, a fake binder. Prints pods/s;
 * asserts only a generous floor so slow CI machines pass.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { makeNode, makePod, newTestCore } from "./testing/fixtures.ts";

test("throughput: 5,000 pods onto 1,000 nodes", async () => {
  const core = newTestCore();
  for (let i = 0; i < 1000; i++) {
    core.addNode(
      makeNode(`node-${i}`, { cpu: "32", memory: "128Gi", labels: { zone: `zone-${i % 3}` } }),
    );
  }
  // Some running pods so scoring has something to weigh.
  for (let i = 0; i < 2000; i++) {
    core.addPod(
      makePod(`running-${i}`, { cpu: "500m", memory: "1Gi", nodeName: `node-${i % 1000}` }),
    );
  }
  for (let i = 0; i < 5000; i++) {
    core.addPod(
      makePod(`pod-${i}`, { cpu: "100m", memory: "256Mi", labels: { app: `app-${i % 50}` } }),
    );
  }
  const start = performance.now();
  while (core.scheduleNext()) {}
  await core.idle();
  const seconds = (performance.now() - start) / 1000;
  const rate = Math.round(5000 / seconds);
  console.log(
    `scheduler throughput: ${rate} pods/s (5000 pods, 1000 nodes, ${seconds.toFixed(2)} s)`,
  );
  assert.equal(core.api.binds.length, 5000);
  const used = new Set(core.api.binds.map((b) => b.node));
  assert.ok(used.size > 900, `pods spread over ${used.size} nodes`);
  assert.ok(rate > 200, `${rate} pods/s`);
});
