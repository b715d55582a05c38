import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { PodDisruptionBudget } from "../../generated/types.ts";
import type { Obj } from "../core/common.ts";
import { created, printRow, simulateCreate, simulateStatusUpdate, t0 } from "../core/testing.ts";
import { podDisruptionBudgetResource } from "./pod-disruption-budget.ts";

const pdb = (spec: PodDisruptionBudget["spec"]): Obj<PodDisruptionBudget> => ({
  metadata: { name: "web", namespace: "ns", creationTimestamp: created },
  ...(spec ? { spec } : {}),
});

describe("PodDisruptionBudget", () => {
  it("accepts one of minAvailable or maxUnavailable", () => {
    const { errors } = simulateCreate(
      podDisruptionBudgetResource,
      pdb({ minAvailable: "50%", selector: { matchLabels: { app: "web" } } }),
    );
    assert.deepEqual(errors, []);
  });

  it("rejects both, bad percentages and unknown eviction policies", () => {
    const { errors } = simulateCreate(
      podDisruptionBudgetResource,
      pdb({
        minAvailable: 1,
        maxUnavailable: "150%",
        unhealthyPodEvictionPolicy: "Sometimes" as never,
      }),
    );
    assert.deepEqual(errors, [
      'spec: Invalid value: {"minAvailable":1,"maxUnavailable":"150%","unhealthyPodEvictionPolicy":"Sometimes"}: minAvailable and maxUnavailable cannot be both set',
      'spec.maxUnavailable: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:"150%"}: must not be greater than 100%',
      'spec.unhealthyPodEvictionPolicy: Unsupported value: "Sometimes": supported values: "AlwaysAllow", "IfHealthyBudget"',
    ]);
  });

  it("validates status counters", () => {
    const old = simulateCreate(podDisruptionBudgetResource, pdb({ minAvailable: 1 })).obj;
    const next = {
      ...old,
      status: { currentHealthy: -1, desiredHealthy: 0, disruptionsAllowed: 0, expectedPods: 0 },
    };
    const { errors } = simulateStatusUpdate(podDisruptionBudgetResource, next, old);
    assert.deepEqual(errors, [
      "status.currentHealthy: Invalid value: -1: must be greater than or equal to 0",
    ]);
  });

  it("prints MIN AVAILABLE, MAX UNAVAILABLE and ALLOWED DISRUPTIONS", () => {
    const obj = {
      ...pdb({ maxUnavailable: 1 }),
      status: { currentHealthy: 3, desiredHealthy: 2, disruptionsAllowed: 1, expectedPods: 3 },
    };
    assert.deepEqual(printRow(podDisruptionBudgetResource, obj, t0 + 60_000), {
      Name: "web",
      "Min Available": "N/A",
      "Max Unavailable": "1",
      "Allowed Disruptions": 1,
      Age: "60s",
    });
  });
});
