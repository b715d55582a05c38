import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Pod, ReplicaSet } from "../common/objects.ts";
import { calculateStatus } from "./replica-set-status.ts";

const now = Date.UTC(2026, 0, 1, 0, 1);
const rs: ReplicaSet = {
  metadata: { name: "web", generation: 2 },
  spec: {
    replicas: 3,
    minReadySeconds: 30,
    selector: { matchLabels: { app: "web" } },
    template: { metadata: { labels: { app: "web", tier: "fe" } } },
  },
  status: { replicas: 0, observedGeneration: 1 },
};
const pod = (labels: Record<string, string>, readySince?: string): Pod => ({
  metadata: { labels },
  status: readySince
    ? { conditions: [{ type: "Ready", status: "True", lastTransitionTime: readySince }] }
    : {},
});

describe("replica set status", () => {
  it("counts fully labeled, ready and available pods", () => {
    const pods = [
      pod({ app: "web", tier: "fe" }, "2026-01-01T00:00:00Z"),
      pod({ app: "web", tier: "fe" }, "2026-01-01T00:00:50Z"),
      pod({ app: "web" }),
    ];
    assert.deepEqual(calculateStatus(rs, pods, undefined, now), {
      replicas: 3,
      fullyLabeledReplicas: 2,
      readyReplicas: 2,
      availableReplicas: 1,
      observedGeneration: 1,
    });
  });

  it("sets ReplicaFailure on a create error and clears it after a success", () => {
    const failed = calculateStatus(rs, [], new Error('pods "web-x" is forbidden: quota'), now);
    assert.deepEqual(failed.conditions, [
      {
        type: "ReplicaFailure",
        status: "True",
        lastTransitionTime: "2026-01-01T00:01:00Z",
        reason: "FailedCreate",
        message: 'pods "web-x" is forbidden: quota',
      },
    ]);
    const recovered = calculateStatus({ ...rs, status: failed }, [], undefined, now);
    assert.equal(recovered.conditions, undefined);
  });
});
