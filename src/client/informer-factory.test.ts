/** The informer transforms: managedFields dropped; metadata-only objects for the GC's monitors. */
import assert from "node:assert/strict";
import { it } from "node:test";
import { keepMetadataOnly, stripManagedFields } from "./informer-factory.ts";

const pod = () => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: {
    name: "p",
    uid: "u1",
    finalizers: ["foregroundDeletion"],
    ownerReferences: [{ apiVersion: "apps/v1", kind: "ReplicaSet", name: "rs", uid: "u0" }],
    managedFields: [{ manager: "m", operation: "Update" }],
  },
  spec: { containers: [{ name: "c", image: "nginx" }] },
  status: { phase: "Running" },
});

it("stripManagedFields drops only metadata.managedFields", () => {
  const obj = pod();
  stripManagedFields(obj);
  const { managedFields: _, ...rest } = pod().metadata;
  assert.deepEqual(obj, { ...pod(), metadata: rest });
  const bare = { metadata: { name: "x" } };
  stripManagedFields(bare);
  assert.deepEqual(bare, { metadata: { name: "x" } });
});

it("keepMetadataOnly keeps apiVersion, kind and metadata without managedFields", () => {
  const obj: Record<string, unknown> = pod();
  keepMetadataOnly(obj);
  const { managedFields: _, ...meta } = pod().metadata;
  assert.deepEqual(obj, { apiVersion: "v1", kind: "Pod", metadata: meta });
});
