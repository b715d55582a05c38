import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { StorageV1VolumeAttributesClass } from "../../generated/types.ts";
import type { Obj } from "../core/common.ts";
import { created, printRow, simulateCreate, simulateUpdate, t0 } from "../core/testing.ts";
import { volumeAttributesClassResource } from "./volume-attributes-class.ts";

const vac = (
  driverName: string,
  parameters?: Record<string, string>,
): Obj<StorageV1VolumeAttributesClass> => ({
  apiVersion: "storage.k8s.io/v1",
  kind: "VolumeAttributesClass",
  metadata: { name: "gold", creationTimestamp: created },
  driverName,
  ...(parameters === undefined ? {} : { parameters }),
});

describe("VolumeAttributesClass", () => {
  it("accepts a driver with parameters and prints it", () => {
    const { obj, errors } = simulateCreate(
      volumeAttributesClassResource,
      vac("ebs.csi.aws.com", { iops: "4000" }),
    );
    assert.deepEqual(errors, []);
    assert.deepEqual(printRow(volumeAttributesClassResource, obj, t0 + 60_000), {
      Name: "gold",
      DriverName: "ebs.csi.aws.com",
      Age: "60s",
    });
    assert.deepEqual(volumeAttributesClassResource.shortNames, ["vac"]);
  });

  it("requires a driver name and at least one parameter", () => {
    assert.deepEqual(simulateCreate(volumeAttributesClassResource, vac("")).errors, [
      "driverName: Required value",
      "parameters: Required value: must contain at least one key/value pair",
    ]);
    const bad = simulateCreate(volumeAttributesClassResource, vac("a/b/c", { "": "x" })).errors;
    assert.match(bad[0] ?? "", /^driverName: Invalid value: "a\/b\/c": a qualified name/);
    assert.equal(bad[1], 'parameters: Invalid value: "": field can not be empty.');
  });

  it("forbids changing the driver name or the parameters", () => {
    const old = vac("a.csi", { iops: "4000" });
    assert.deepEqual(
      simulateUpdate(volumeAttributesClassResource, vac("b.csi", { iops: "5000" }), old).errors,
      [
        "driverName: Forbidden: updates to driverName are forbidden.",
        "parameters: Forbidden: updates to parameters are forbidden.",
      ],
    );
    const labelled = { ...old, metadata: { ...old.metadata, labels: { tier: "gold" } } };
    assert.deepEqual(simulateUpdate(volumeAttributesClassResource, labelled, old).errors, []);
  });
});
