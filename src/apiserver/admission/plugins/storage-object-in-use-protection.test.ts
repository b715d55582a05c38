import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { KubeObject } from "../../../api/object.ts";
import { storageObjectInUseProtectionAdmission } from "./storage-object-in-use-protection.ts";
import { attrs, podsDef, pvcsDef, resourceDef } from "./testing.ts";

const pvsDef = resourceDef("", "persistentvolumes", "PersistentVolume", false);
const plugin = storageObjectInUseProtectionAdmission();
const obj = (finalizers?: string[]): KubeObject => ({
  metadata: { name: "x", ...(finalizers ? { finalizers } : {}) },
  spec: {},
});

describe("StorageObjectInUseProtection admission", () => {
  it("adds the protection finalizer to new volumes and claims", async () => {
    const pv = attrs({ resource: pvsDef, object: obj() });
    await plugin.admit?.(pv);
    assert.deepEqual(pv.object?.metadata?.finalizers, ["kubernetes.io/pv-protection"]);
    const pvc = attrs({ resource: pvcsDef, object: obj(["example.com/keep"]) });
    await plugin.admit?.(pvc);
    assert.deepEqual(pvc.object?.metadata?.finalizers, [
      "example.com/keep",
      "kubernetes.io/pvc-protection",
    ]);
  });

  it("adds it once, only on create of the main resource, and ignores other kinds", async () => {
    const again = attrs({ resource: pvcsDef, object: obj(["kubernetes.io/pvc-protection"]) });
    await plugin.admit?.(again);
    assert.deepEqual(again.object?.metadata?.finalizers, ["kubernetes.io/pvc-protection"]);
    for (const a of [
      attrs({ resource: pvcsDef, operation: "UPDATE", object: obj(), oldObject: obj() }),
      attrs({ resource: pvcsDef, subresource: "status", object: obj() }),
      attrs({ resource: podsDef, object: obj() }),
    ]) {
      await plugin.admit?.(a);
      assert.equal(a.object?.metadata?.finalizers, undefined);
    }
  });
});
