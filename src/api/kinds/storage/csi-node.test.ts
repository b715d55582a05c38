import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { CSINode, CSINodeDriver } from "../../generated/types.ts";
import type { Obj } from "../core/common.ts";
import { created, printRow, simulateCreate, simulateUpdate, t0 } from "../core/testing.ts";
import { csiNodeResource } from "./csi-node.ts";

const csiNode = (drivers: CSINodeDriver[]): Obj<CSINode> => ({
  apiVersion: "storage.k8s.io/v1",
  kind: "CSINode",
  metadata: { name: "node-a", creationTimestamp: created },
  spec: { drivers },
});

const ebs: CSINodeDriver = {
  name: "ebs.csi.aws.com",
  nodeID: "i-0123",
  topologyKeys: ["topology.ebs.csi.aws.com/zone"],
  allocatable: { count: 25 },
};

describe("CSINode", () => {
  it("accepts registered drivers and prints their count", () => {
    const { obj, errors } = simulateCreate(csiNodeResource, csiNode([ebs]));
    assert.deepEqual(errors, []);
    assert.deepEqual(printRow(csiNodeResource, obj, t0 + 60_000), {
      Name: "node-a",
      Drivers: 1,
      Age: "60s",
    });
  });

  it("refuses bad driver names, node IDs, topology keys and counts", () => {
    const { errors } = simulateCreate(
      csiNodeResource,
      csiNode([
        { name: "Bad_Driver", nodeID: "", topologyKeys: ["zone", "zone", "a/b/c"] },
        { name: "ebs.csi.aws.com", nodeID: "x".repeat(257), allocatable: { count: -1 } },
        { name: "ebs.csi.aws.com", nodeID: "y".repeat(256) },
      ]),
    );
    assert.equal(errors.length, 7, errors.join("\n"));
    assert.match(
      errors[0] ?? "",
      /^spec\.drivers\[0\]\.name: Invalid value: "Bad_Driver": a lowercase RFC 1123 subdomain/,
    );
    assert.deepEqual(errors.slice(1), [
      "spec.drivers[0].nodeID: Required value",
      'spec.drivers[0]: Duplicate value: "zone"',
      errors[3],
      `spec.drivers[1].nodeID: Invalid value: "${"x".repeat(257)}": must be 256 characters or less`,
      "spec.drivers[1].allocatable.count: Invalid value: -1: must be greater than or equal to 0",
      'spec.drivers[2].name: Duplicate value: "ebs.csi.aws.com"',
    ]);
    assert.match(
      errors[3] ?? "",
      /^spec\.drivers\[0\]: Invalid value: "a\/b\/c": a qualified name must consist of/,
    );
  });

  it("lets drivers come, go and change their count, but not change otherwise", () => {
    const old = csiNode([ebs]);
    const counted = csiNode([
      { ...ebs, allocatable: { count: 10 } },
      { name: "b.csi", nodeID: "n" },
    ]);
    assert.deepEqual(simulateUpdate(csiNodeResource, counted, old).errors, []);
    assert.deepEqual(simulateUpdate(csiNodeResource, csiNode([]), old).errors, []);
    const moved = csiNode([{ ...ebs, nodeID: "i-9999" }]);
    const errors = simulateUpdate(csiNodeResource, moved, old).errors;
    assert.equal(errors.length, 1);
    assert.match(errors[0] ?? "", /^spec\.drivers: Invalid value: .*i-9999.*: field is immutable$/);
  });
});
