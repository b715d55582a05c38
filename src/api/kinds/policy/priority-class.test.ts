import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { PriorityClass } from "../../generated/types.ts";
import type { Obj } from "../core/common.ts";
import { created, printRow, simulateCreate, simulateUpdate, t0 } from "../core/testing.ts";
import { priorityClassResource } from "./priority-class.ts";

const pc = (
  name: string,
  value: number,
  extra: Partial<PriorityClass> = {},
): Obj<PriorityClass> => ({
  metadata: { name, creationTimestamp: created },
  value,
  ...extra,
});

describe("PriorityClass", () => {
  it("defaults preemptionPolicy and prints its columns", () => {
    const { obj, errors } = simulateCreate(
      priorityClassResource,
      pc("high", 1000, { globalDefault: true }),
    );
    assert.deepEqual(errors, []);
    assert.equal(obj.preemptionPolicy, "PreemptLowerPriority");
    assert.deepEqual(printRow(priorityClassResource, obj, t0 + 5000), {
      Name: "high",
      Value: 1000,
      "Global-Default": true,
      Age: "5s",
      PreemptionPolicy: "PreemptLowerPriority",
    });
  });

  it("limits user values and reserves the system- prefix", () => {
    assert.deepEqual(simulateCreate(priorityClassResource, pc("huge", 2_000_000_000)).errors, [
      "value: Forbidden: maximum allowed value of a user defined priority is 1000000000",
    ]);
    assert.deepEqual(simulateCreate(priorityClassResource, pc("system-foo", 1)).errors, [
      "metadata.name: Forbidden: priority class names with 'system-' prefix are reserved for system use only. error: system-foo is not a known system priority class",
    ]);
    assert.deepEqual(
      simulateCreate(priorityClassResource, pc("system-node-critical", 2_000_001_000)).errors,
      [],
    );
    assert.deepEqual(
      simulateCreate(priorityClassResource, pc("x", 1, { preemptionPolicy: "Always" as never }))
        .errors,
      [
        'preemptionPolicy: Unsupported value: "Always": supported values: "Never", "PreemptLowerPriority"',
      ],
    );
  });

  it("keeps value and preemptionPolicy immutable", () => {
    const old = simulateCreate(priorityClassResource, pc("a", 1)).obj;
    const { errors } = simulateUpdate(
      priorityClassResource,
      pc("a", 2, { preemptionPolicy: "Never" }),
      old,
    );
    assert.deepEqual(errors, [
      "value: Forbidden: may not be changed in an update.",
      'preemptionPolicy: Invalid value: "Never": field is immutable',
    ]);
  });
});
