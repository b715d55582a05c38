import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ControllerRevision } from "../../generated/types.ts";
import type { Obj } from "./common.ts";
import { controllerRevisionResource as def } from "./controller-revision.ts";
import { validateCreate, validateUpdate } from "./testing.ts";

const rev = (): Obj<ControllerRevision> => ({
  metadata: {
    name: "web-7d9f",
    creationTimestamp: "2024-01-01T00:00:00Z",
    ownerReferences: [
      { apiVersion: "apps/v1", kind: "StatefulSet", name: "web", uid: "u", controller: true },
    ],
  },
  data: { spec: { template: {} } },
  revision: 2,
});

describe("ControllerRevision", () => {
  it("accepts a valid revision", () => {
    assert.deepEqual(validateCreate(def, rev()), []);
  });

  it("requires data and a non-negative revision", () => {
    const r = rev();
    delete r.data;
    r.revision = -1;
    assert.deepEqual(validateCreate(def, r), [
      "data: Required value: data is mandatory",
      "revision: Invalid value: -1: must be greater than or equal to 0",
    ]);
  });

  it("keeps data immutable", () => {
    const next = rev();
    next.data = { other: true };
    assert.deepEqual(validateUpdate(def, next, rev()), [
      'data: Invalid value: {"other":true}: field is immutable',
    ]);
  });

  it("prints the controller", () => {
    assert.deepEqual(def.strategy.printer!.row(rev(), Date.parse("2024-01-01T00:01:00Z")), [
      "web-7d9f",
      "statefulset.apps/web",
      2,
      "60s",
    ]);
  });
});
