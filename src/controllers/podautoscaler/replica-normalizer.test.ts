/** Normalization of the proposed count: stabilization windows, scale policies, selectPolicy. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type {
  HorizontalPodAutoscalerBehavior,
  HPAScalingRules,
} from "../../api/generated/types.ts";
import { FakeClock } from "../../machinery/clock.ts";
import { type NormalizeArgs, ReplicaNormalizer } from "./replica-normalizer.ts";

/** The API's defaults (`SetDefaults_HorizontalPodAutoscalerBehavior`). */
const defaultUp: HPAScalingRules = {
  stabilizationWindowSeconds: 0,
  selectPolicy: "Max",
  policies: [
    { type: "Pods", value: 4, periodSeconds: 15 },
    { type: "Percent", value: 100, periodSeconds: 15 },
  ],
};
const defaultDown: HPAScalingRules = {
  stabilizationWindowSeconds: 300,
  selectPolicy: "Max",
  policies: [{ type: "Percent", value: 100, periodSeconds: 15 }],
};
const defaults: HorizontalPodAutoscalerBehavior = { scaleUp: defaultUp, scaleDown: defaultDown };

function normalizer() {
  const clock = new FakeClock();
  const n = new ReplicaNormalizer(clock);
  const base = { key: "default/web", minReplicas: 1, maxReplicas: 20 };
  /** One sync: record, normalize, and remember the scale event as the controller does. */
  const sync = (
    a: Omit<NormalizeArgs, "key" | "minReplicas" | "maxReplicas"> & Partial<NormalizeArgs>,
  ) => {
    const args = { ...base, ...a };
    n.recordInitialRecommendation(args.currentReplicas, args.key);
    const r = n.normalize(args);
    if (r.desired !== args.currentReplicas) {
      n.storeScaleEvent(args.behavior, args.key, args.currentReplicas, r.desired);
    }
    return r;
  };
  return { clock, n, sync };
}

const reasons = (r: { conditions: readonly (readonly string[])[] }) =>
  r.conditions.map((c) => c[2]);

describe("normalization without a behavior", () => {
  it("holds the highest recommendation of the last 5 minutes before scaling down", () => {
    const { clock, sync } = normalizer();
    const behavior = undefined;
    assert.equal(sync({ behavior, currentReplicas: 5, desiredReplicas: 5 }).desired, 5);
    clock.advance(60_000);
    const held = sync({ behavior, currentReplicas: 5, desiredReplicas: 2 });
    assert.equal(held.desired, 5);
    assert.deepEqual(reasons(held), ["ScaleDownStabilized", "DesiredWithinRange"]);
    clock.advance(4 * 60_000 + 1000);
    const down = sync({ behavior, currentReplicas: 5, desiredReplicas: 2 });
    assert.equal(down.desired, 2, "the 5 is older than 5 minutes");
    assert.deepEqual(reasons(down), ["ReadyForNewScale", "DesiredWithinRange"]);
  });

  it("scales up at most to twice the current count (at least 4), within min and max", () => {
    const { sync } = normalizer();
    const behavior = undefined;
    const capped = sync({ behavior, currentReplicas: 3, desiredReplicas: 10 });
    assert.equal(capped.desired, 6);
    assert.deepEqual(capped.conditions[1], [
      "ScalingLimited",
      "True",
      "ScaleUpLimit",
      "the desired replica count is increasing faster than the maximum scale rate",
    ]);
    assert.equal(sync({ behavior, currentReplicas: 1, desiredReplicas: 10 }).desired, 4);
    const max = sync({ behavior, currentReplicas: 6, desiredReplicas: 30, maxReplicas: 8 });
    assert.equal(max.desired, 8);
    assert.equal(max.conditions[1]?.[2], "TooManyReplicas");
  });
});

describe("normalization with a behavior", () => {
  it("scales up by the larger of 4 pods and 100% per 15 s (the defaults)", () => {
    const { clock, sync } = normalizer();
    const behavior = defaults;
    const first = sync({ behavior, currentReplicas: 1, desiredReplicas: 20 });
    assert.equal(first.desired, 5, "1 + 4 pods beats 1 + 100%");
    assert.equal(first.conditions[1]?.[2], "ScaleUpLimit");
    clock.advance(5_000);
    assert.equal(
      sync({ behavior, currentReplicas: 5, desiredReplicas: 20 }).desired,
      5,
      "same period",
    );
    clock.advance(11_000);
    assert.equal(
      sync({ behavior, currentReplicas: 5, desiredReplicas: 20 }).desired,
      10,
      "5 + 100%",
    );
  });

  it("applies selectPolicy Min and Disabled", () => {
    const { sync } = normalizer();
    const min = { ...defaults, scaleUp: { ...defaultUp, selectPolicy: "Min" } };
    assert.equal(sync({ behavior: min, currentReplicas: 10, desiredReplicas: 40 }).desired, 14);
    const disabled = {
      ...defaults,
      scaleDown: { ...defaultDown, selectPolicy: "Disabled", stabilizationWindowSeconds: 0 },
    };
    const held = sync({
      key: "default/other",
      behavior: disabled,
      currentReplicas: 10,
      desiredReplicas: 2,
    });
    assert.equal(held.desired, 10);
    assert.equal(held.conditions[1]?.[2], "ScaleDownLimit");
  });

  it("stabilizes scale-downs over the window, then limits them by the policies", () => {
    const { clock, sync } = normalizer();
    const behavior = {
      ...defaults,
      scaleDown: {
        stabilizationWindowSeconds: 60,
        selectPolicy: "Max",
        policies: [{ type: "Pods", value: 2, periodSeconds: 60 }],
      },
    };
    assert.equal(sync({ behavior, currentReplicas: 10, desiredReplicas: 10 }).desired, 10);
    clock.advance(30_000);
    const held = sync({ behavior, currentReplicas: 10, desiredReplicas: 3 });
    assert.equal(held.desired, 10);
    assert.deepEqual(reasons(held), ["ScaleDownStabilized", "DesiredWithinRange"]);
    clock.advance(31_000);
    const limited = sync({ behavior, currentReplicas: 10, desiredReplicas: 3 });
    assert.equal(limited.desired, 8, "2 pods per 60 s");
    assert.equal(limited.conditions[1]?.[2], "ScaleDownLimit");
    clock.advance(30_000);
    assert.equal(
      sync({ behavior, currentReplicas: 8, desiredReplicas: 3 }).desired,
      8,
      "same period",
    );
    clock.advance(31_000);
    assert.equal(sync({ behavior, currentReplicas: 8, desiredReplicas: 3 }).desired, 6);
  });

  it("stabilizes scale-ups over a scale-up window", () => {
    const { clock, sync } = normalizer();
    const behavior = { ...defaults, scaleUp: { ...defaultUp, stabilizationWindowSeconds: 60 } };
    assert.equal(sync({ behavior, currentReplicas: 2, desiredReplicas: 2 }).desired, 2);
    clock.advance(30_000);
    const held = sync({ behavior, currentReplicas: 2, desiredReplicas: 4 });
    assert.equal(held.desired, 2);
    assert.equal(held.conditions[0]?.[2], "ScaleUpStabilized");
    clock.advance(31_000);
    assert.equal(sync({ behavior, currentReplicas: 2, desiredReplicas: 4 }).desired, 4);
  });

  it("keeps a scale-down within minReplicas", () => {
    const { sync } = normalizer();
    const behavior = { ...defaults, scaleDown: { ...defaultDown, stabilizationWindowSeconds: 0 } };
    const r = sync({ behavior, currentReplicas: 4, desiredReplicas: 1, minReplicas: 2 });
    assert.equal(r.desired, 2);
    assert.equal(r.conditions[1]?.[2], "TooFewReplicas");
  });
});
