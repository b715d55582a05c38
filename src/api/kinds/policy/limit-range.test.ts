import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { created, printRow, simulateCreate, t0 } from "../core/testing.ts";
import { limitRangeResource } from "./limit-range.ts";

const lr = (limits: unknown[]) =>
  ({
    metadata: { name: "limits", namespace: "ns", creationTimestamp: created },
    spec: { limits },
  }) as never;

describe("LimitRange", () => {
  it("defaults container default to max and defaultRequest to default, then min", () => {
    const { obj, errors } = simulateCreate(
      limitRangeResource,
      lr([{ type: "Container", max: { cpu: "2" }, min: { memory: "64Mi" } }]),
    );
    assert.deepEqual(errors, []);
    assert.deepEqual(obj.spec?.limits[0], {
      type: "Container",
      max: { cpu: "2" },
      min: { memory: "64Mi" },
      default: { cpu: "2" },
      defaultRequest: { cpu: "2", memory: "64Mi" },
    });
  });

  it("requires min <= defaultRequest <= default <= max", () => {
    const { errors } = simulateCreate(
      limitRangeResource,
      lr([
        {
          type: "Container",
          min: { cpu: "500m" },
          max: { cpu: "1" },
          default: { cpu: "2" },
          defaultRequest: { cpu: "100m" },
        },
      ]),
    );
    assert.deepEqual(errors, [
      "spec.limits[0].defaultRequest[cpu]: Invalid value: 100m: min value 500m is greater than default request value 100m",
      "spec.limits[0].default[cpu]: Invalid value: 1: default value 2 is greater than max value 1",
    ]);
  });

  it("rejects min > max, ratios below 1 and above max/min", () => {
    const { errors } = simulateCreate(
      limitRangeResource,
      lr([
        {
          type: "Pod",
          min: { memory: "2Gi" },
          max: { memory: "1Gi" },
          maxLimitRequestRatio: { cpu: "500m" },
        },
      ]),
    );
    assert.deepEqual(errors, [
      "spec.limits[0].maxLimitRequestRatio[cpu]: Invalid value: 500m: ratio 500m is less than 1",
      "spec.limits[0].min[memory]: Invalid value: 2Gi: min value 2Gi is greater than max value 1Gi",
    ]);
    const ratio = simulateCreate(
      limitRangeResource,
      lr([
        {
          type: "Container",
          min: { cpu: "1" },
          max: { cpu: "2" },
          maxLimitRequestRatio: { cpu: "3" },
        },
      ]),
    );
    assert.deepEqual(ratio.errors, [
      "spec.limits[0].maxLimitRequestRatio[cpu]: Invalid value: 3: ratio 3 is greater than max/min = 2.000000",
    ]);
  });

  it("checks types, duplicates, pod defaults and PVC storage bounds", () => {
    const { errors } = simulateCreate(
      limitRangeResource,
      lr([
        { type: "Pod", default: { cpu: "1" } },
        { type: "Pod" },
        { type: "Node" },
        { type: "PersistentVolumeClaim", max: { cpu: "1" } },
        { type: "Container", max: { foo: "1" } },
      ]),
    );
    assert.deepEqual(errors, [
      "spec.limits[0].default: Forbidden: may not be specified when `type` is 'Pod'",
      'spec.limits[1].type: Duplicate value: "Pod"',
      'spec.limits[2].type: Invalid value: "Node": must be a standard limit type or fully qualified',
      "spec.limits[3].limits: Required value: either minimum or maximum storage value is required, but neither was provided",
      'spec.limits[4].max[foo]: Invalid value: "foo": must be a standard resource type or fully qualified',
      'spec.limits[4].max[foo]: Invalid value: "foo": must be a standard resource for containers',
      // defaulting copied max into default and defaultRequest, as upstream's does
      'spec.limits[4].default[foo]: Invalid value: "foo": must be a standard resource type or fully qualified',
      'spec.limits[4].default[foo]: Invalid value: "foo": must be a standard resource for containers',
      'spec.limits[4].defaultRequest[foo]: Invalid value: "foo": must be a standard resource type or fully qualified',
      'spec.limits[4].defaultRequest[foo]: Invalid value: "foo": must be a standard resource for containers',
    ]);
  });

  it("prints NAME and CREATED AT", () => {
    const { obj } = simulateCreate(limitRangeResource, lr([]));
    assert.deepEqual(printRow(limitRangeResource, obj, t0), {
      Name: "limits",
      "Created At": created,
    });
  });
});
