import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { CSIStorageCapacity } from "../../generated/types.ts";
import type { Obj } from "../core/common.ts";
import { created, printRow, simulateCreate, simulateUpdate, t0 } from "../core/testing.ts";
import { csiStorageCapacityResource } from "./csi-storage-capacity.ts";

const capacity = (fields: Partial<CSIStorageCapacity>): Obj<CSIStorageCapacity> => ({
  apiVersion: "storage.k8s.io/v1",
  kind: "CSIStorageCapacity",
  metadata: { name: "csisc-1", namespace: "kube-system", creationTimestamp: created },
  storageClassName: "fast",
  nodeTopology: { matchLabels: { "topology.kubernetes.io/zone": "a" } },
  ...fields,
});

describe("CSIStorageCapacity", () => {
  it("prints its class and capacity, <unset> without one", () => {
    const { obj, errors } = simulateCreate(
      csiStorageCapacityResource,
      capacity({ capacity: "1024Mi", maximumVolumeSize: "100Gi" }),
    );
    assert.deepEqual(errors, []);
    assert.deepEqual(printRow(csiStorageCapacityResource, obj, t0), {
      Name: "csisc-1",
      StorageClassName: "fast",
      Capacity: "1Gi",
    });
    const unset = capacity({});
    assert.equal(printRow(csiStorageCapacityResource, unset, t0).Capacity, "<unset>");
  });

  it("refuses bad class names, negative capacities and bad topology selectors", () => {
    const { errors } = simulateCreate(
      csiStorageCapacityResource,
      capacity({
        storageClassName: "",
        capacity: "-1Gi",
        nodeTopology: { matchExpressions: [{ key: "zone", operator: "In", values: [] }] },
      }),
    );
    assert.equal(errors.length, 3, errors.join("\n"));
    assert.match(errors[0] ?? "", /^nodeTopology\.matchExpressions\[0\]\.values: Required value/);
    assert.match(errors[1] ?? "", /^storageClassName: Invalid value: "": a lowercase RFC 1123/);
    assert.equal(errors[2], 'capacity: Invalid value: "-1Gi": must be greater than or equal to 0');
  });

  it("keeps the class and topology, and lets the capacity change", () => {
    const old = capacity({ capacity: "1Gi" });
    assert.deepEqual(
      simulateUpdate(csiStorageCapacityResource, { ...old, capacity: "2Gi" }, old).errors,
      [],
    );
    const moved = capacity({ storageClassName: "slow", nodeTopology: {} });
    assert.deepEqual(simulateUpdate(csiStorageCapacityResource, moved, old).errors, [
      "nodeTopology: Invalid value: {}: field is immutable",
      'storageClassName: Invalid value: "slow": field is immutable',
    ]);
  });
});
