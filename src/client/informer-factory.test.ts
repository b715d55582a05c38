/**
 * The informer transforms: managedFields dropped; metadata-only objects for the GC's monitors;
 * the result a fast-mode object whose repeated strings are shared.
 */
import assert from "node:assert/strict";
import { it } from "node:test";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { keepMetadataOnly, stripManagedFields } from "./informer-factory.ts";
import { StringPool } from "./string-pool.ts";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

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
  const obj = stripManagedFields(pod());
  const { managedFields: _, ...rest } = pod().metadata;
  assert.deepEqual(obj, { ...pod(), metadata: rest });
  assert.deepEqual(Object.keys(obj), Object.keys(pod()), "the same key order");
  const bare = { metadata: { name: "x" } };
  assert.deepEqual(stripManagedFields(bare), { metadata: { name: "x" } });
});

it("keepMetadataOnly keeps apiVersion, kind and metadata without managedFields", () => {
  const obj = keepMetadataOnly(pod());
  const { managedFields: _, ...meta } = pod().metadata;
  assert.deepEqual(obj, { apiVersion: "v1", kind: "Pod", metadata: meta });
  assert.deepEqual(keepMetadataOnly({ metadata: { name: "x" } }), { metadata: { name: "x" } });
});

/** Heap bytes that `make`'s results hold, after full collections. */
function retained(make: () => unknown[]): number {
  gc();
  const before = process.memoryUsage().heapUsed;
  const kept = make();
  gc();
  const after = process.memoryUsage().heapUsed;
  assert.ok(kept.length > 0);
  return after - before;
}

it("cached pods are a third smaller: fast-mode metadata, repeated strings shared", () => {
  // 5,000 pods of one ReplicaSet as the API sends them: each a fresh parse, unique name and uid.
  const texts = Array.from({ length: 5000 }, (_, i) => {
    const p = pod();
    p.metadata.name = `web-5d8f7c9b4-${i.toString(36)}`;
    p.metadata.uid = `7c1e0a52-${String(i).padStart(4, "0")}-4d6b-9a3e-1f2b3c4d5e6f`;
    const created = new Date(Date.UTC(2026, 0, 1, 0, 0, Math.floor(i / 100))).toISOString();
    return JSON.stringify({ ...p, metadata: { ...p.metadata, creationTimestamp: created } });
  });
  const deleted = retained(() =>
    texts.map((t) => {
      const o = JSON.parse(t);
      delete o.metadata.managedFields;
      return o;
    }),
  );
  const transformed = retained(() => texts.map((t) => stripManagedFields(JSON.parse(t))));
  assert.ok(
    transformed < deleted * 0.75,
    `${Math.round(transformed / 5000)} bytes a pod, against ${Math.round(deleted / 5000)}`,
  );
});

it("a string pool stays bounded however many strings pass through it", () => {
  const pool = new StringPool(1000);
  const held = retained(() => {
    for (let i = 0; i < 200_000; i++) pool.intern(`one-off-name-${i}`);
    return [pool];
  });
  // Two generations of 1,000 strings (about 100 bytes each with their map entries), not 200,000.
  assert.ok(held < 1_000_000, `the pool holds ${held} bytes`);
  const long = "x".repeat(200);
  const value = pool.internAll({ a: ["ReplicaSet"], b: { c: long }, d: 1, e: null });
  assert.deepEqual(value, { a: ["ReplicaSet"], b: { c: long }, d: 1, e: null });
});
