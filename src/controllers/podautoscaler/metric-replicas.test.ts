/** Several metrics: the largest proposal wins; metrics needing custom/external APIs fail as upstream's. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { MetricSpec } from "../../api/generated/types.ts";
import { FakeClock } from "../../machinery/clock.ts";
import { parseSelector } from "../../machinery/labels.ts";
import { Conditions } from "./hpa-status.ts";
import { MetricReplicas } from "./metric-replicas.ts";
import { ReplicaCalculator } from "./replica-calculator.ts";
import { FakeResourceMetrics, testPod } from "./testing.ts";

const cpu80: MetricSpec = {
  type: "Resource",
  resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 80 } },
};
const queue: MetricSpec = {
  type: "External",
  external: {
    metric: { name: "queue", selector: { matchLabels: { q: "jobs" } } },
    target: { type: "AverageValue", averageValue: "30" },
  },
};
const requests: MetricSpec = {
  type: "Object",
  object: {
    describedObject: { apiVersion: "networking.k8s.io/v1", kind: "Ingress", name: "main" },
    metric: { name: "requests" },
    target: { type: "Value", value: "10k" },
  },
};

/** Two ready pods using `cpu` each of their 1 CPU; the specs evaluated at 2 replicas. */
async function compute(metrics: MetricSpec[], cpu: string) {
  const clock = new FakeClock();
  const now = clock.now();
  const source = new FakeResourceMetrics();
  const pods = [0, 1].map((i) => {
    source.set({ name: `p-${i}`, labels: { app: "web" } }, { app: { cpu } }, { timestampMs: now });
    return testPod({ name: `p-${i}`, ready: "True", startTimeMs: now - 600_000 });
  });
  const conditions = new Conditions(undefined, "2026-01-01T00:00:00Z");
  const warnings: string[][] = [];
  const outcome = await new MetricReplicas({
    namespace: "default",
    metrics,
    specReplicas: 2,
    selector: parseSelector("app=web"),
    tolerances: { scaleDown: 0.1, scaleUp: 0.1 },
    calculator: new ReplicaCalculator({ metrics: source, listPods: () => pods, clock }),
    conditions,
    warn: (reason, message) => warnings.push([reason, message]),
  }).compute();
  return { outcome, active: conditions.get("ScalingActive"), warnings };
}

const externalError =
  "unable to get external metric default/queue/&LabelSelector{MatchLabels:map[string]string{q: jobs,},MatchExpressions:[]LabelSelectorRequirement{},}: unable to fetch metrics from external metrics API: the server could not find the requested resource (get queue.external.metrics.k8s.io)";

describe("computeReplicasForMetrics", () => {
  it("scales up on the metrics that work, reporting the first that does not", async () => {
    const { outcome, active, warnings } = await compute([queue, cpu80], "1600m");
    assert.equal(outcome.replicas, 4);
    assert.equal(outcome.metric, "cpu resource utilization (percentage of request)");
    assert.deepEqual(outcome.statuses, [
      { type: "" },
      {
        type: "Resource",
        resource: { name: "cpu", current: { averageUtilization: 160, averageValue: "1600m" } },
      },
    ]);
    assert.equal(
      outcome.error,
      `invalid metrics (1 invalid out of 2), first error is: failed to get queue external metric value: failed to get queue external metric: ${externalError}`,
    );
    assert.equal(active?.reason, "ValidMetricFound");
    assert.deepEqual(warnings, [["FailedGetExternalMetric", externalError]]);
  });

  it("does not scale down while a metric fails", async () => {
    const { outcome, active } = await compute([cpu80, queue], "100m");
    assert.equal(outcome.replicas, -1);
    assert.equal(active?.reason, "FailedGetExternalMetric");
    assert.equal(
      active?.message,
      `the HPA was unable to compute the replica count: ${externalError}`,
    );
  });

  it("reports Object metrics as upstream does without the custom metrics API", async () => {
    const { outcome, active } = await compute([requests], "100m");
    assert.equal(outcome.replicas, -1);
    assert.equal(active?.reason, "FailedGetObjectMetric");
    assert.equal(
      outcome.error,
      "invalid metrics (1 invalid out of 1), first error is: failed to get object metric value: unable to get metric requests: Ingress on default main/unable to fetch metrics from custom metrics API: no custom metrics API (custom.metrics.k8s.io) registered",
    );
  });
});
