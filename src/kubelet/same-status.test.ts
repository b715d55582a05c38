/** The kubelet's status comparison: equal as JSON except for condition timestamps. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { sameStatus } from "./kubelet.ts";

const status = (over: Record<string, unknown> = {}) => ({
  phase: "Running",
  podIP: "10.0.0.5",
  conditions: [
    { type: "Ready", status: "True", lastTransitionTime: "2026-01-01T00:00:00Z" },
    { type: "PodScheduled", status: "True", lastProbeTime: null },
  ],
  containerStatuses: [{ name: "c", ready: true, restartCount: 0, state: { running: {} } }],
  ...over,
});

test("statuses that differ only in condition timestamps are the same", () => {
  const a = status();
  const b = status();
  b.conditions[0]!.lastTransitionTime = "2026-06-01T00:00:00Z";
  (b.conditions[1] as Record<string, unknown>).lastProbeTime = "2026-06-01T00:00:00Z";
  assert.ok(sameStatus(a, b));
  // Key order and members that are undefined (absent in JSON) do not matter either.
  const { phase, ...rest } = status();
  assert.ok(sameStatus(a, { ...rest, message: undefined, phase }));
});

test("any other difference is one", () => {
  const a = status();
  assert.ok(!sameStatus(a, status({ phase: "Pending" })));
  assert.ok(!sameStatus(a, status({ podIP: undefined })));
  assert.ok(!sameStatus(a, status({ hostIP: "192.168.0.1" })));
  assert.ok(!sameStatus(a, status({ conditions: a.conditions.slice(0, 1) })));
  assert.ok(!sameStatus(a, status({ conditions: [...a.conditions].reverse() })));
  const restarted = status();
  restarted.containerStatuses[0]!.restartCount = 1;
  assert.ok(!sameStatus(a, restarted));
  assert.ok(!sameStatus(a, undefined));
  assert.ok(!sameStatus({ podIPs: [] }, { podIPs: {} }));
  assert.ok(!sameStatus({ x: null }, { x: {} }));
  assert.ok(sameStatus(undefined, undefined));
});
