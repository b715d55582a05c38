import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { strategicMergePatch as smp } from "./strategic-merge-patch.ts";
import { assertPatchError } from "./testing/assert-patch-error.ts";
import { map, podMeta, primitive, struct } from "./testing/fake-patch-meta.ts";

describe("strategic merge patch: maps", () => {
  test("merges maps recursively; null deletes; absent members stay", () => {
    const pod = { metadata: { name: "p", labels: { a: "1", b: "2" } }, spec: { nodeName: "n1" } };
    const out = smp(
      pod,
      { metadata: { labels: { a: null, c: "3" } }, spec: { restartPolicy: "Never" } },
      podMeta,
    );
    assert.deepEqual(out, {
      metadata: { name: "p", labels: { b: "2", c: "3" } },
      spec: { nodeName: "n1", restartPolicy: "Never" },
    });
  });

  test("deleting a missing field is a no-op and nulls never reach the result", () => {
    const out = smp({ a: 1 }, { b: null, c: { d: null, e: 1, f: { g: null } } }, undefined);
    assert.deepEqual(out, { a: 1, c: { e: 1, f: {} } });
  });

  test("without meta, objects merge and lists are replaced", () => {
    const out = smp(
      { x: { a: 1, l: [1, 2] }, y: [{ name: "a" }] },
      { x: { b: 2, l: [3] }, y: [{ name: "b" }] },
      undefined,
    );
    assert.deepEqual(out, { x: { a: 1, l: [3], b: 2 }, y: [{ name: "b" }] });
  });

  test("fields unknown to the meta merge as maps and replace as lists", () => {
    const out = smp(
      { spec: { extra: { a: 1 }, other: [1] } },
      { spec: { extra: { b: 2 }, other: [2] } },
      podMeta,
    );
    assert.deepEqual(out, { spec: { extra: { a: 1, b: 2 }, other: [2] } });
  });

  test("a value of another type replaces the old one", () => {
    const out = smp(
      { a: { b: 1 }, c: [1], d: "s", e: null },
      { a: "x", c: { k: 1 }, d: [1], e: { f: 1 } },
      undefined,
    );
    assert.deepEqual(out, { a: "x", c: { k: 1 }, d: [1], e: { f: 1 } });
  });

  test("a null or absent original is an empty object", () => {
    assert.deepEqual(smp(null, { a: 1 }, undefined), { a: 1 });
    assert.deepEqual(smp(undefined, { a: { b: null } }, undefined), { a: {} });
  });

  test("the patch and the original must be objects", () => {
    assertPatchError(
      () => smp({}, [1], undefined),
      "BadRequest",
      "strategic merge patch must be a JSON object",
    );
    assertPatchError(() => smp({}, null, undefined), "BadRequest", /must be a JSON object/);
    assertPatchError(
      () => smp([1], {}, undefined),
      "BadRequest",
      "the object to patch must be a JSON object",
    );
  });

  test("a map field with the replace strategy is replaced whole", () => {
    const meta = struct({ raw: struct({}, { patchStrategy: "replace" }), m: map() });
    const out = smp(
      { raw: { a: 1, b: 2 }, m: { a: 1 } },
      { raw: { c: 3, d: null }, m: { b: 2 } },
      meta,
    );
    assert.deepEqual(out, { raw: { c: 3 }, m: { a: 1, b: 2 } });
  });

  test("maps of structs use the element meta for each value", () => {
    const meta = struct({ byName: map(struct({ x: primitive, y: primitive })) });
    const out = smp(
      { byName: { a: { x: 1 }, b: { x: 2 } } },
      { byName: { a: { y: 1 }, b: null } },
      meta,
    );
    assert.deepEqual(out, { byName: { a: { x: 1, y: 1 } } });
  });
});

describe("strategic merge patch: $patch on maps", () => {
  test("$patch: replace replaces the map, at any depth and at the top", () => {
    const pod = { metadata: { labels: { a: "1", b: "2" } }, spec: { x: 1 } };
    const out = smp(pod, { metadata: { labels: { $patch: "replace", c: "3" } } }, podMeta);
    assert.deepEqual(out, { metadata: { labels: { c: "3" } }, spec: { x: 1 } });
    assert.deepEqual(smp(pod, { $patch: "replace", kind: "Pod" }, podMeta), { kind: "Pod" });
    assert.deepEqual(smp({ a: 1, b: 2 }, { $patch: "replace" }, undefined), {});
  });

  test("$patch: replace carries out the directives inside the replacement", () => {
    const out = smp(
      { spec: { containers: [{ name: "a" }] } },
      {
        spec: { $patch: "replace", containers: [{ name: "b", env: null }, { $patch: "replace" }] },
      },
      podMeta,
    );
    assert.deepEqual(out, { spec: { containers: [{ name: "b" }] } });
  });

  test("$patch: delete empties an existing map and omits a new one", () => {
    const pod = { metadata: { name: "p", labels: { a: "1" } } };
    assert.deepEqual(smp(pod, { metadata: { labels: { $patch: "delete" } } }, podMeta), {
      metadata: { name: "p", labels: {} },
    });
    assert.deepEqual(
      smp(pod, { metadata: { annotations: { $patch: "delete", x: "y" } } }, podMeta),
      pod,
    );
    assert.deepEqual(smp(pod, { $patch: "delete" }, podMeta), {});
  });

  test("$patch: merge is the default, spelled out", () => {
    const out = smp(
      { m: { a: 1 } },
      { m: { $patch: "merge", b: 2 }, n: { $patch: "merge", c: 1 } },
      undefined,
    );
    assert.deepEqual(out, { m: { a: 1, b: 2 }, n: { c: 1 } });
  });

  test("any other $patch value is rejected", () => {
    assertPatchError(
      () => smp({ m: { a: 1 } }, { m: { $patch: "remove" } }, undefined),
      "BadRequest",
      'Unexpected kind of patch: $patch value "remove" in map: {"$patch":"remove"}; expected "replace", "delete" or "merge" (at .m)',
    );
    assertPatchError(
      () => smp({}, { $patch: 1 }, undefined),
      "BadRequest",
      /^Unexpected kind of patch: \$patch value 1 in map/,
    );
    assertPatchError(() => smp({}, { n: { $patch: "x" } }, undefined), "BadRequest", /\(at \.n\)$/);
  });
});

describe("strategic merge patch: inputs and safety", () => {
  test("inputs are not changed and the result shares nothing with them", () => {
    const original = {
      metadata: { labels: { a: "1" } },
      spec: { containers: [{ name: "a", env: [{ name: "X" }] }] },
    };
    const patch = {
      metadata: { annotations: { n: "1" } },
      spec: {
        containers: [
          { name: "b", ports: [{ containerPort: 80 }] },
          { name: "a", image: "i" },
        ],
      },
    };
    const before = structuredClone({ original, patch });
    type Container = { name: string; env?: unknown[]; ports?: unknown[] };
    type Out = { metadata: Record<string, unknown>; spec: { containers: Container[] } };
    const out = smp(original, patch, podMeta) as Out;
    assert.deepEqual({ original, patch }, before);
    assert.notEqual(out.metadata.labels, original.metadata.labels);
    assert.notEqual(out.metadata.annotations, patch.metadata.annotations);
    const b = out.spec.containers.find((c) => c.name === "b");
    assert.deepEqual(b?.ports, [{ containerPort: 80 }]);
    assert.notEqual(b?.ports, patch.spec.containers[0]?.ports);
    const a = out.spec.containers.find((c) => c.name === "a");
    assert.deepEqual(a?.env, [{ name: "X" }]);
    assert.notEqual(a?.env, original.spec.containers[0]?.env);
  });

  test("__proto__ is an ordinary key", () => {
    const patch = JSON.parse('{"metadata": {"__proto__": {"polluted": true}}, "__proto__": null}');
    const out = smp({ metadata: {} }, patch, podMeta);
    const metadata = out.metadata as object;
    assert.ok(Object.hasOwn(metadata, "__proto__"));
    assert.equal(Object.getPrototypeOf(metadata), Object.prototype);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  test("keys keep their order: existing first, new ones after", () => {
    const out = smp({ b: 1, a: 2 }, { c: 3, a: 4 }, undefined);
    assert.deepEqual(Object.keys(out), ["b", "a", "c"]);
  });
});
