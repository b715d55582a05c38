import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { RuntimeClass } from "../../generated/types.ts";
import type { Obj } from "../core/common.ts";
import { created, printRow, simulateCreate, simulateUpdate, t0 } from "../core/testing.ts";
import { builtinResources } from "../index.ts";
import { runtimeClassResource } from "./runtime-class.ts";

const rc = (
  name: string,
  handler: string,
  extra: Partial<RuntimeClass> = {},
): Obj<RuntimeClass> => ({
  apiVersion: "node.k8s.io/v1",
  kind: "RuntimeClass",
  metadata: { name, creationTimestamp: created },
  handler,
  ...extra,
});

const labelMsg =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

describe("RuntimeClass", () => {
  it("is served cluster-scoped as node.k8s.io/v1 runtimeclasses", () => {
    const def = builtinResources.find((d) => d.kind === "RuntimeClass");
    assert.ok(def);
    assert.equal(def.group, "node.k8s.io");
    assert.equal(def.version, "v1");
    assert.equal(def.plural, "runtimeclasses");
    assert.equal(def.namespaced, false);
  });

  it("accepts a full class and prints NAME, HANDLER, AGE", () => {
    const { obj, errors } = simulateCreate(
      runtimeClassResource,
      rc("kata", "kata-qemu", {
        overhead: { podFixed: { cpu: "250m", memory: "120Mi" } },
        scheduling: {
          nodeSelector: { "katacontainers.io/kata-runtime": "true" },
          tolerations: [
            { key: "kata", operator: "Exists", effect: "NoSchedule" },
            { key: "kata", operator: "Equal", value: "yes", effect: "NoExecute" },
          ],
        },
      }),
    );
    assert.deepEqual(errors, []);
    assert.deepEqual(printRow(runtimeClassResource, obj, t0 + 90_000), {
      Name: "kata",
      Handler: "kata-qemu",
      Age: "90s",
    });
  });

  it("requires the handler to be a DNS label", () => {
    assert.deepEqual(simulateCreate(runtimeClassResource, rc("a", "")).errors, [
      `handler: Invalid value: "": ${labelMsg}`,
    ]);
    assert.deepEqual(simulateCreate(runtimeClassResource, rc("a", "Run_C")).errors, [
      `handler: Invalid value: "Run_C": ${labelMsg}`,
    ]);
    assert.deepEqual(simulateCreate(runtimeClassResource, rc("a", "a.b")).errors, [
      'handler: Invalid value: "a.b": must not contain dots',
    ]);
    assert.deepEqual(
      simulateCreate(runtimeClassResource, { ...rc("a", "x"), handler: undefined as never }).errors,
      [`handler: Invalid value: "": ${labelMsg}`],
    );
  });

  it("checks the overhead as resource quantities", () => {
    const bad = rc("a", "runc", {
      overhead: { podFixed: { cpu: "-1", memory: "lots", pods: "1" } },
    });
    assert.deepEqual(simulateCreate(runtimeClassResource, bad).errors, [
      'overhead.limits[cpu]: Invalid value: "-1": must be greater than or equal to 0',
      "overhead.limits[memory]: Invalid value: \"lots\": quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
      'overhead.limits[pods]: Invalid value: "pods": must be a standard resource for containers',
    ]);
  });

  it("checks the node selector and the tolerations", () => {
    const bad = rc("a", "runc", {
      scheduling: {
        nodeSelector: { "bad key!": "v", ok: "bad value!" },
        tolerations: [
          { key: "k", operator: "Equal", value: "v", effect: "NoSchedule" },
          { operator: "Equal", value: "v" },
          { key: "k", operator: "Equal", value: "v", effect: "NoSchedule", tolerationSeconds: 5 },
          { key: "k", effect: "Sometimes" as never },
        ],
      },
    });
    const errors = simulateCreate(runtimeClassResource, bad).errors;
    assert.deepEqual(
      errors.map((e) => e.split(":")[0]),
      [
        "scheduling.nodeSelector",
        "scheduling.nodeSelector",
        "scheduling.tolerations[1].operator",
        "scheduling.tolerations[2].effect",
        "scheduling.tolerations[3].effect",
        "scheduling.tolerations[2]",
      ],
    );
    assert.equal(
      errors[5],
      'scheduling.tolerations[2]: Duplicate value: core.Toleration{Key:"k", Operator:"Equal", Value:"v", Effect:"NoSchedule", TolerationSeconds:(*int64)(5)}',
    );
  });

  it("keeps the handler immutable and the rest changeable", () => {
    const old = simulateCreate(runtimeClassResource, rc("a", "runc")).obj;
    assert.deepEqual(simulateUpdate(runtimeClassResource, rc("a", "crun"), old).errors, [
      'handler: Invalid value: "crun": field is immutable',
    ]);
    const changed = rc("a", "runc", {
      overhead: { podFixed: { cpu: "100m" } },
      scheduling: { nodeSelector: { pool: "sandboxed" } },
    });
    assert.deepEqual(simulateUpdate(runtimeClassResource, changed, old).errors, []);
  });
});
