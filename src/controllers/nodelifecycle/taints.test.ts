import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Node, Taint } from "../../api/generated/types.ts";
import { toleratesTaint } from "../../api/scheduling/taints.ts";
import { observeHealth, unknownConditions } from "./node-health.ts";
import {
  desiredTaints,
  matchingTolerations,
  minTolerationSeconds,
  withDefaultTolerations,
} from "./taints.ts";

const unreachable: Taint = { key: "node.kubernetes.io/unreachable", effect: "NoExecute" };
const notReady: Taint = { key: "node.kubernetes.io/not-ready", effect: "NoExecute" };

describe("tolerations", () => {
  it("match taints by key, value, effect and operator", () => {
    assert.ok(toleratesTaint({ operator: "Exists" }, unreachable));
    assert.ok(toleratesTaint({ key: unreachable.key, operator: "Exists" }, unreachable));
    assert.ok(!toleratesTaint({ key: unreachable.key, effect: "NoSchedule" }, unreachable));
    assert.ok(
      toleratesTaint({ key: "k", value: "v" }, { key: "k", value: "v", effect: "NoSchedule" }),
    );
    assert.ok(
      !toleratesTaint({ key: "k", value: "w" }, { key: "k", value: "v", effect: "NoSchedule" }),
    );
  });

  it("evict at the shortest toleration, never without seconds, at once when untolerated", () => {
    const short = { key: unreachable.key, operator: "Exists" as const, tolerationSeconds: 60 };
    const all = { operator: "Exists" as const, tolerationSeconds: 600 };
    const match = matchingTolerations([unreachable, notReady], [short, all]);
    assert.deepEqual(match, { allTolerated: true, used: [short, all] });
    assert.equal(minTolerationSeconds(match.used), 60);
    assert.equal(minTolerationSeconds([{ operator: "Exists" }]), -1);
    assert.equal(matchingTolerations([unreachable], []).allTolerated, false);
  });

  it("default not-ready and unreachable tolerations only where the pod has none", () => {
    const own = { key: unreachable.key, operator: "Exists" as const, effect: "NoExecute" as const };
    assert.deepEqual(withDefaultTolerations([own], 300), [
      own,
      { key: notReady.key, operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 },
    ]);
    assert.deepEqual(withDefaultTolerations([{ operator: "Exists" }], 300), [
      { operator: "Exists" },
    ]);
  });
});

describe("node taints and health", () => {
  const node = (ready: string, taints: Taint[] = []): Node => ({
    metadata: { name: "n", creationTimestamp: "2026-01-01T00:00:00Z" },
    spec: { taints },
    status: {
      conditions: [
        { type: "Ready", status: ready },
        { type: "MemoryPressure", status: "True" },
      ],
    },
  });

  it("follow the Ready condition and keep unmanaged taints and timeAdded", () => {
    const now = "2026-01-01T00:01:00Z";
    const custom: Taint = { key: "dedicated", effect: "NoSchedule", value: "db" };
    assert.deepEqual(desiredTaints(node("Unknown", [custom]), now), [
      custom,
      { key: unreachable.key, effect: "NoSchedule" },
      { key: "node.kubernetes.io/memory-pressure", effect: "NoSchedule" },
      { ...unreachable, timeAdded: now },
    ]);
    const old = { ...notReady, timeAdded: "2026-01-01T00:00:30Z" };
    assert.deepEqual(
      desiredTaints(node("False", [old]), now).filter((t) => t.effect === "NoExecute"),
      [old],
    );
    assert.deepEqual(desiredTaints(node("True", [old, custom]), now), [
      custom,
      { key: "node.kubernetes.io/memory-pressure", effect: "NoSchedule" },
    ]);
  });

  it("mark silent nodes Unknown, adding conditions never posted", () => {
    const conditions = unknownConditions(node("True"), "2026-01-01T00:02:00Z") ?? [];
    assert.deepEqual(
      conditions.map((c) => [c.type, c.status, c.reason]),
      [
        ["Ready", "Unknown", "NodeStatusUnknown"],
        ["MemoryPressure", "Unknown", "NodeStatusUnknown"],
        ["DiskPressure", "Unknown", "NodeStatusNeverUpdated"],
        ["PIDPressure", "Unknown", "NodeStatusNeverUpdated"],
      ],
    );
    assert.equal(conditions[0]?.message, "Kubelet stopped posting node status.");
    assert.equal(unknownConditions({ status: { conditions } }, "x"), undefined);
  });

  it("count a Lease renewal or a new heartbeat as a sign of life", () => {
    const n = node("True");
    const lease = (t: string) => ({ spec: { renewTime: t } });
    let h = observeHealth(undefined, n, lease("2026-01-01T00:00:00.000000Z"), 1000);
    h = observeHealth(h, n, lease("2026-01-01T00:00:00.000000Z"), 5000);
    assert.equal(h.probeTimestamp, 1000);
    h = observeHealth(h, n, lease("2026-01-01T00:00:10.000000Z"), 9000);
    assert.equal(h.probeTimestamp, 9000);
  });
});
