import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { encodeObject, servedBytes } from "./codec.ts";

const kv = (value: Uint8Array) => ({
  key: "/k",
  value,
  createRevision: 3,
  modRevision: 7,
  lease: 0,
});
const text = (bytes: Uint8Array | undefined) =>
  bytes ? new TextDecoder().decode(bytes) : undefined;

describe("stored object codec", () => {
  it("serves stored bytes with the resourceVersion added, in memory of their own", () => {
    const stored = kv(
      encodeObject({
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: "a", namespace: "d", resourceVersion: "1" },
        data: { k: "é ✓" },
      }),
    );
    const bytes = servedBytes(stored, "v1", "ConfigMap")!;
    // Kept by the watch cache for the object's life: never a slice of Node's shared Buffer pool.
    assert.equal(bytes.byteOffset, 0);
    assert.equal(bytes.buffer.byteLength, bytes.byteLength);
    const served = text(bytes);
    assert.deepEqual(JSON.parse(served!), {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { resourceVersion: "7", name: "a", namespace: "d" },
      data: { k: "é ✓" },
    });
  });

  it("handles empty metadata and refuses bytes stored as another kind", () => {
    const empty = kv(encodeObject({ apiVersion: "v1", kind: "Secret", metadata: {} }));
    assert.deepEqual(JSON.parse(text(servedBytes(empty, "v1", "Secret"))!), {
      apiVersion: "v1",
      kind: "Secret",
      metadata: { resourceVersion: "7" },
    });
    assert.equal(servedBytes(empty, "v1", "ConfigMap"), undefined);
    assert.equal(servedBytes(empty, "v2", "Secret"), undefined);
  });
});
