import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { PersistentVolumeClaim } from "../../../api/generated/types.ts";
import type { KubeObject } from "../../../api/object.ts";
import { defaultStorageClassAdmission } from "./default-storage-class.ts";
import { StaticReader } from "./reader.ts";
import { attrs, pvcsDef } from "./testing.ts";

const sc = (name: string, isDefault: boolean, created = "2026-01-01T00:00:00Z"): KubeObject => ({
  metadata: {
    name,
    creationTimestamp: created,
    ...(isDefault
      ? { annotations: { "storageclass.kubernetes.io/is-default-class": "true" } }
      : {}),
  },
  provisioner: "x",
});
const pvc = (
  spec: Record<string, unknown> = {},
  annotations?: Record<string, string>,
): KubeObject => ({
  metadata: { name: "data", ...(annotations ? { annotations } : {}) },
  spec: { resources: { requests: { storage: "1Gi" } }, ...spec },
});
const classOf = (o: KubeObject | undefined) => (o as PersistentVolumeClaim).spec?.storageClassName;

describe("DefaultStorageClass admission", () => {
  const reader = new StaticReader().add(
    "storage.k8s.io",
    "storageclasses",
    sc("slow", false),
    sc("standard", true, "2026-01-01T00:00:00Z"),
    sc("newer", true, "2026-02-01T00:00:00Z"),
  );
  const plugin = defaultStorageClassAdmission({ reader });

  it("sets the newest default class on claims without one", async () => {
    const a = attrs({ resource: pvcsDef, object: pvc() });
    await plugin.admit?.(a);
    assert.equal(classOf(a.object), "newer");
  });

  it("keeps an explicit class, an explicit empty class and the beta annotation", async () => {
    for (const object of [
      pvc({ storageClassName: "slow" }),
      pvc({ storageClassName: "" }),
      pvc({}, { "volume.beta.kubernetes.io/storage-class": "slow" }),
    ]) {
      const before = classOf(object);
      await plugin.admit?.(attrs({ resource: pvcsDef, object }));
      assert.equal(classOf(object), before);
    }
  });

  it("does nothing without a default class or on update", async () => {
    const none = defaultStorageClassAdmission({
      reader: new StaticReader().add("storage.k8s.io", "storageclasses", sc("slow", false)),
    });
    const a = attrs({ resource: pvcsDef, object: pvc() });
    await none.admit?.(a);
    assert.equal(classOf(a.object), undefined);
    const b = attrs({ resource: pvcsDef, operation: "UPDATE", object: pvc() });
    await plugin.admit?.(b);
    assert.equal(classOf(b.object), undefined);
  });
});
