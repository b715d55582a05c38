import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { mergePatch } from "./merge-patch.ts";

describe("JSON merge patch", () => {
  // The examples of RFC 7386, appendix A: original, patch, result.
  const rfcExamples: [unknown, unknown, unknown][] = [
    [{ a: "b" }, { a: "c" }, { a: "c" }],
    [{ a: "b" }, { b: "c" }, { a: "b", b: "c" }],
    [{ a: "b" }, { a: null }, {}],
    [{ a: "b", b: "c" }, { a: null }, { b: "c" }],
    [{ a: ["b"] }, { a: "c" }, { a: "c" }],
    [{ a: "c" }, { a: ["b"] }, { a: ["b"] }],
    [{ a: { b: "c" } }, { a: { b: "d", c: null } }, { a: { b: "d" } }],
    [{ a: [{ b: "c" }] }, { a: [1] }, { a: [1] }],
    [
      ["a", "b"],
      ["c", "d"],
      ["c", "d"],
    ],
    [{ a: "b" }, ["c"], ["c"]],
    [{ a: "foo" }, null, null],
    [{ a: "foo" }, "bar", "bar"],
    [{ e: null }, { a: 1 }, { e: null, a: 1 }],
    [[1, 2], { a: "b", c: null }, { a: "b" }],
    [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
  ];
  for (const [i, [original, patch, result]] of rfcExamples.entries()) {
    test(`RFC 7386 example ${i + 1}`, () => {
      assert.deepEqual(mergePatch(original, patch), result);
    });
  }

  test("kubectl label / annotate: set one, remove another", () => {
    const pod = { metadata: { name: "p", labels: { app: "web", tier: "front" } }, spec: { x: 1 } };
    const out = mergePatch(pod, { metadata: { labels: { tier: null, env: "prod" } } });
    assert.deepEqual(out, {
      metadata: { name: "p", labels: { app: "web", env: "prod" } },
      spec: { x: 1 },
    });
  });

  test("arrays are replaced whole and keep their nulls", () => {
    const out = mergePatch(
      { spec: { containers: [{ name: "a" }, { name: "b" }] } },
      {
        spec: { containers: [{ name: "c", env: null }] },
      },
    );
    assert.deepEqual(out, { spec: { containers: [{ name: "c", env: null }] } });
  });

  test("deleting a missing member is a no-op; keys keep their order", () => {
    const out = mergePatch({ a: 1, b: 2 }, { z: null, a: 3, c: 4 });
    assert.deepEqual(Object.keys(out as object), ["a", "b", "c"]);
  });

  test("inputs are not changed and the result shares nothing with them", () => {
    const original = { a: { b: [1] }, c: { d: 1 } };
    const patch = { a: { e: { f: 1 } }, g: [{ h: 1 }] };
    const out = mergePatch(original, patch) as Record<string, Record<string, unknown>>;
    assert.deepEqual(original, { a: { b: [1] }, c: { d: 1 } });
    assert.deepEqual(patch, { a: { e: { f: 1 } }, g: [{ h: 1 }] });
    assert.notEqual(out.c, original.c);
    assert.notEqual(out.a?.b, original.a.b);
    assert.notEqual(out.a?.e, patch.a.e);
    assert.notEqual(out.g, patch.g);
  });

  test("__proto__ is an ordinary key", () => {
    const patch = JSON.parse('{"__proto__": {"polluted": true}, "a": 1}');
    const out = mergePatch({}, patch) as object;
    assert.ok(Object.hasOwn(out, "__proto__"));
    assert.equal(Object.getPrototypeOf(out), Object.prototype);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });
});

test("with share, the original's untouched parts are reused and the patch's are still copied", () => {
  const original = { spec: { containers: [{ name: "c" }] }, status: { phase: "Pending" } };
  const patch = { status: { phase: "Running", conditions: [{ type: "Ready" }] } };
  const shared = mergePatch(original, patch, { share: true }) as typeof original & typeof patch;
  assert.equal(shared.spec, original.spec);
  assert.notEqual(shared.status.conditions, patch.status.conditions);
  assert.deepEqual(shared.status, { phase: "Running", conditions: [{ type: "Ready" }] });
  assert.equal(original.status.phase, "Pending");
  const copied = mergePatch(original, patch) as typeof original;
  assert.notEqual(copied.spec, original.spec);
});
