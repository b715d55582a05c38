import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { CSIDriver } from "../../generated/types.ts";
import type { Obj } from "../core/common.ts";
import { created, printRow, simulateCreate, simulateUpdate, t0 } from "../core/testing.ts";
import { csiDriverResource } from "./csi-driver.ts";

const driver = (spec: CSIDriver["spec"], name = "csi.example.com"): Obj<CSIDriver> => ({
  apiVersion: "storage.k8s.io/v1",
  kind: "CSIDriver",
  metadata: { name, creationTimestamp: created },
  spec,
});

describe("CSIDriver", () => {
  it("defaults the spec as SetDefaults_CSIDriver does and prints it", () => {
    const { obj, errors } = simulateCreate(csiDriverResource, driver({}));
    assert.deepEqual(errors, []);
    assert.deepEqual(obj.spec, {
      attachRequired: true,
      podInfoOnMount: false,
      storageCapacity: false,
      fsGroupPolicy: "ReadWriteOnceWithFSType",
      volumeLifecycleModes: ["Persistent"],
      requiresRepublish: false,
      seLinuxMount: false,
    });
    assert.deepEqual(printRow(csiDriverResource, obj, t0 + 60_000), {
      Name: "csi.example.com",
      AttachRequired: true,
      PodInfoOnMount: false,
      StorageCapacity: false,
      TokenRequests: "<unset>",
      RequiresRepublish: false,
      Modes: "Persistent",
      Age: "60s",
    });
    const withTokens = simulateCreate(
      csiDriverResource,
      driver({
        tokenRequests: [{ audience: "vault" }, { audience: "" }],
        volumeLifecycleModes: ["Persistent", "Ephemeral"],
      }),
    );
    assert.deepEqual(withTokens.errors, []);
    const row = printRow(csiDriverResource, withTokens.obj, t0);
    assert.equal(row.TokenRequests, "vault,");
    assert.equal(row.Modes, "Persistent,Ephemeral");
  });

  it("refuses bad policies, token requests and modes at upstream's paths", () => {
    const { errors } = simulateCreate(
      csiDriverResource,
      driver({
        fsGroupPolicy: "Sometimes",
        tokenRequests: [
          { audience: "a", expirationSeconds: 599 },
          { audience: "a", expirationSeconds: 60 },
          { audience: "b", expirationSeconds: 2 ** 32 + 1 },
        ],
        volumeLifecycleModes: ["Persistent", "Forever"],
        nodeAllocatableUpdatePeriodSeconds: 5,
      }),
    );
    assert.deepEqual(errors, [
      'spec.fsGroupPolicy: Unsupported value: "Sometimes": supported values: "File", "None", "ReadWriteOnceWithFSType"',
      "spec.tokenRequests[0].expirationSeconds: Invalid value: 599: may not specify a duration less than 10 minutes",
      'spec.tokenRequests[1].audience: Duplicate value: "a"',
      "spec.tokenRequests[2].expirationSeconds: Invalid value: 4294967297: may not specify a duration larger than 2^32 seconds",
      'spec.volumeLifecycleModes: Unsupported value: "Forever": supported values: "Persistent", "Ephemeral"',
      "spec.nodeAllocatableUpdatePeriodSeconds: Invalid value: 5: must be greater than or equal to 10 seconds",
    ]);
  });

  it("keeps attachRequired and volumeLifecycleModes, and lets the rest change", () => {
    const old = simulateCreate(csiDriverResource, driver({})).obj;
    const changed = structuredClone(old);
    changed.spec.attachRequired = false;
    changed.spec.volumeLifecycleModes = ["Ephemeral"];
    changed.spec.podInfoOnMount = true;
    changed.spec.storageCapacity = true;
    changed.spec.fsGroupPolicy = "File";
    assert.deepEqual(simulateUpdate(csiDriverResource, changed, old).errors, [
      "spec.attachedRequired: Invalid value: false: field is immutable",
      'spec.volumeLifecycleModes: Invalid value: []string{"Ephemeral"}: field is immutable',
    ]);
    const allowed = structuredClone(old);
    allowed.spec.podInfoOnMount = true;
    allowed.spec.storageCapacity = true;
    allowed.spec.fsGroupPolicy = "None";
    allowed.spec.requiresRepublish = true;
    assert.deepEqual(simulateUpdate(csiDriverResource, allowed, old).errors, []);
  });
});
