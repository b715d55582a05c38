import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { KubeObject } from "../../object.ts";
import {
  behaviorAnnotation,
  conditionsAnnotation,
  currentMetricsAnnotation,
  horizontalPodAutoscalerV1Strategy,
  hpaFromV1,
  hpaToV1,
  metricsAnnotation,
} from "./horizontal-pod-autoscaler-v1.ts";

const v2: KubeObject = {
  apiVersion: "autoscaling/v2",
  kind: "HorizontalPodAutoscaler",
  metadata: { name: "web", namespace: "default", annotations: { keep: "me" } },
  spec: {
    scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "web" },
    minReplicas: 2,
    maxReplicas: 10,
    metrics: [
      {
        type: "Resource",
        resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 60 } },
      },
      {
        type: "Resource",
        resource: { name: "memory", target: { type: "AverageValue", averageValue: "100Mi" } },
      },
      {
        type: "Pods",
        pods: { metric: { name: "qps" }, target: { type: "AverageValue", averageValue: "10" } },
      },
      {
        type: "Object",
        object: {
          describedObject: { apiVersion: "networking.k8s.io/v1", kind: "Ingress", name: "main" },
          metric: { name: "rps" },
          target: { type: "Value", value: "2k" },
        },
      },
      {
        type: "External",
        external: {
          metric: { name: "queue", selector: { matchLabels: { q: "jobs" } } },
          target: { type: "AverageValue", averageValue: "30" },
        },
      },
      {
        type: "ContainerResource",
        containerResource: {
          name: "cpu",
          container: "app",
          target: { type: "Utilization", averageUtilization: 50 },
        },
      },
    ],
    behavior: {
      scaleDown: {
        stabilizationWindowSeconds: 60,
        selectPolicy: "Max",
        policies: [{ type: "Pods", value: 1, periodSeconds: 30 }],
      },
      scaleUp: {
        stabilizationWindowSeconds: 0,
        selectPolicy: "Max",
        policies: [{ type: "Percent", value: 100, periodSeconds: 15 }],
      },
    },
  },
  status: {
    observedGeneration: 3,
    currentReplicas: 4,
    desiredReplicas: 5,
    currentMetrics: [
      {
        type: "Resource",
        resource: { name: "cpu", current: { averageUtilization: 71, averageValue: "300m" } },
      },
      { type: "Pods", pods: { metric: { name: "qps" }, current: { averageValue: "12" } } },
    ],
    conditions: [
      {
        type: "AbleToScale",
        status: "True",
        lastTransitionTime: "2026-01-01T00:00:00Z",
        reason: "ReadyForNewScale",
        message: "ok",
      },
    ],
  },
} as KubeObject;

describe("autoscaling/v1 HorizontalPodAutoscaler", () => {
  it("shows v2's CPU target and current value as v1's fields, the rest in upstream's annotations", () => {
    const v1 = hpaToV1(v2) as Record<string, any>;
    assert.equal(v1.apiVersion, "autoscaling/v1");
    assert.equal(v1.spec.targetCPUUtilizationPercentage, 60);
    assert.equal(v1.status.currentCPUUtilizationPercentage, 71);
    assert.deepEqual(
      { min: v1.spec.minReplicas, max: v1.spec.maxReplicas, current: v1.status.currentReplicas },
      { min: 2, max: 10, current: 4 },
    );
    const annotations = v1.metadata.annotations;
    assert.equal(annotations.keep, "me");
    const metrics = JSON.parse(annotations[metricsAnnotation]);
    assert.deepEqual(metrics[0], {
      type: "Resource",
      resource: { name: "memory", targetAverageValue: "100Mi" },
    });
    assert.deepEqual(metrics[1], {
      type: "Pods",
      pods: { metricName: "qps", targetAverageValue: "10" },
    });
    assert.deepEqual(metrics[2].object, {
      target: { apiVersion: "networking.k8s.io/v1", kind: "Ingress", name: "main" },
      metricName: "rps",
      targetValue: "2k",
    });
    assert.equal(
      JSON.parse(annotations[currentMetricsAnnotation])[0].pods.currentAverageValue,
      "12",
    );
    assert.equal(JSON.parse(annotations[conditionsAnnotation])[0].reason, "ReadyForNewScale");
    assert.equal(
      JSON.parse(annotations[behaviorAnnotation]).scaleDown.stabilizationWindowSeconds,
      60,
    );
  });

  it("converts back to the same v2 object", () => {
    const back = hpaFromV1(hpaToV1(v2) as never) as KubeObject & Record<string, any>;
    const expected = structuredClone(v2) as KubeObject & Record<string, any>;
    // v1 keeps the CPU utilization only; the current CPU value (300m) has no place in v1.
    delete expected.status.currentMetrics[0].resource.current.averageValue;
    assert.deepEqual(back, expected);
  });

  it("defaults as upstream: a v1 HPA without a CPU target reads as v2's default of 80%", () => {
    const v1 = {
      apiVersion: "autoscaling/v1",
      kind: "HorizontalPodAutoscaler",
      metadata: { name: "web", namespace: "default" },
      spec: { scaleTargetRef: { kind: "Deployment", name: "web" }, maxReplicas: 3 },
    } as KubeObject & Record<string, any>;
    horizontalPodAutoscalerV1Strategy.defaults?.(v1 as never);
    assert.equal(v1.spec.minReplicas, 1);
    const stored = hpaFromV1(v1 as never) as KubeObject & Record<string, any>;
    assert.deepEqual(stored.spec.metrics, [
      {
        type: "Resource",
        resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 80 } },
      },
    ]);
    assert.equal((hpaToV1(stored) as Record<string, any>).spec.targetCPUUtilizationPercentage, 80);
    assert.equal(hpaToV1(stored).metadata?.annotations, undefined);
  });

  it("validates through v2's rules, with v1's field names where they are the same", () => {
    const errors = horizontalPodAutoscalerV1Strategy.validate!({
      apiVersion: "autoscaling/v1",
      kind: "HorizontalPodAutoscaler",
      metadata: { name: "web", namespace: "default" },
      spec: { scaleTargetRef: { kind: "Deployment", name: "" }, minReplicas: 5, maxReplicas: 2 },
    } as never);
    assert.deepEqual(
      errors.map((e) => e.field),
      ["spec.scaleTargetRef.name", "spec.maxReplicas"],
    );
  });
});
