import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { applyJsonPatch, decodeJsonPatch } from "./json-patch.ts";
import { isPatchError } from "./patch-error.ts";
import { assertPatchError } from "./testing/assert-patch-error.ts";

const pod = () => ({
  metadata: { name: "web", labels: { app: "web" } },
  spec: { containers: [{ name: "a", image: "nginx" }, { name: "b" }], replicas: 1 },
});

describe("JSON patch: add", () => {
  test("adds a member and replaces an existing one", () => {
    const out = applyJsonPatch(pod(), [
      { op: "add", path: "/metadata/labels/tier", value: "front" },
      { op: "add", path: "/spec/replicas", value: 3 },
    ]);
    assert.deepEqual(out, {
      metadata: { name: "web", labels: { app: "web", tier: "front" } },
      spec: { containers: [{ name: "a", image: "nginx" }, { name: "b" }], replicas: 3 },
    });
  });

  test("inserts into arrays by index, at the length and with '-'", () => {
    const doc = { a: [1, 2] };
    assert.deepEqual(applyJsonPatch(doc, [{ op: "add", path: "/a/0", value: 0 }]), {
      a: [0, 1, 2],
    });
    assert.deepEqual(applyJsonPatch(doc, [{ op: "add", path: "/a/2", value: 3 }]), {
      a: [1, 2, 3],
    });
    assert.deepEqual(applyJsonPatch(doc, [{ op: "add", path: "/a/-", value: 3 }]), {
      a: [1, 2, 3],
    });
  });

  test("an empty path replaces the whole document", () => {
    assert.deepEqual(applyJsonPatch({ a: 1 }, [{ op: "add", path: "", value: [1] }]), [1]);
  });

  test("'-' is an ordinary key in an object", () => {
    assert.deepEqual(applyJsonPatch({}, [{ op: "add", path: "/-", value: 1 }]), { "-": 1 });
  });

  test("unescapes ~1 and ~0 in keys", () => {
    const out = applyJsonPatch({ metadata: { annotations: {} } }, [
      { op: "add", path: "/metadata/annotations/example.com~1a~0b", value: "x" },
    ]);
    assert.deepEqual(out, { metadata: { annotations: { "example.com/a~b": "x" } } });
  });

  test("fails when the parent is missing or the index is out of range", () => {
    assertPatchError(
      () => applyJsonPatch(pod(), [{ op: "add", path: "/spec/missing/x", value: 1 }]),
      "Invalid",
      "add operation does not apply: doc is missing path: /spec/missing/x",
    );
    assertPatchError(
      () => applyJsonPatch({ a: [1] }, [{ op: "add", path: "/a/3", value: 1 }]),
      "Invalid",
      'add operation does not apply: invalid array index "3" in path: /a/3',
    );
    assertPatchError(
      () => applyJsonPatch({ a: [1] }, [{ op: "add", path: "/a/01", value: 1 }]),
      "Invalid",
      /invalid array index "01"/,
    );
    assertPatchError(
      () => applyJsonPatch({ a: [1] }, [{ op: "add", path: "/a/-1", value: 1 }]),
      "Invalid",
      /invalid array index "-1"/,
    );
  });

  test("cannot traverse through a primitive", () => {
    assertPatchError(
      () => applyJsonPatch({ a: "s" }, [{ op: "add", path: "/a/b", value: 1 }]),
      "Invalid",
      "add operation does not apply: doc is missing path: /a/b",
    );
  });
});

describe("JSON patch: remove and replace", () => {
  test("removes members and array elements", () => {
    const out = applyJsonPatch(pod(), [
      { op: "remove", path: "/metadata/labels/app" },
      { op: "remove", path: "/spec/containers/0" },
    ]);
    assert.deepEqual(out, {
      metadata: { name: "web", labels: {} },
      spec: { containers: [{ name: "b" }], replicas: 1 },
    });
  });

  test("remove fails for a missing member, a bad index or the root", () => {
    assertPatchError(
      () => applyJsonPatch(pod(), [{ op: "remove", path: "/spec/x" }]),
      "Invalid",
      "remove operation does not apply: doc is missing path: /spec/x",
    );
    assertPatchError(
      () => applyJsonPatch(pod(), [{ op: "remove", path: "/spec/containers/2" }]),
      "Invalid",
      "remove operation does not apply: doc is missing path: /spec/containers/2",
    );
    assertPatchError(
      () => applyJsonPatch(pod(), [{ op: "remove", path: "/spec/containers/-" }]),
      "Invalid",
      /doc is missing path/,
    );
    assertPatchError(
      () => applyJsonPatch(pod(), [{ op: "remove", path: "" }]),
      "Invalid",
      "remove operation does not apply: cannot remove the whole document",
    );
  });

  test("replaces members, array elements and the root", () => {
    const out = applyJsonPatch(pod(), [
      { op: "replace", path: "/spec/replicas", value: 5 },
      { op: "replace", path: "/spec/containers/1", value: { name: "c" } },
    ]);
    assert.deepEqual((out as ReturnType<typeof pod>).spec, {
      containers: [{ name: "a", image: "nginx" }, { name: "c" }],
      replicas: 5,
    });
    assert.equal(applyJsonPatch(pod(), [{ op: "replace", path: "", value: 7 }]), 7);
  });

  test("replace of a missing member fails", () => {
    assertPatchError(
      () => applyJsonPatch(pod(), [{ op: "replace", path: "/spec/x", value: 1 }]),
      "Invalid",
      "replace operation does not apply: doc is missing path: /spec/x",
    );
    assertPatchError(
      () => applyJsonPatch(pod(), [{ op: "replace", path: "/spec/containers/-", value: 1 }]),
      "Invalid",
      "replace operation does not apply: doc is missing path: /spec/containers/-",
    );
  });
});

describe("JSON patch: move, copy, test", () => {
  test("moves members and reorders arrays", () => {
    assert.deepEqual(applyJsonPatch({ a: 1, b: {} }, [{ op: "move", from: "/a", path: "/b/c" }]), {
      b: { c: 1 },
    });
    assert.deepEqual(
      applyJsonPatch({ l: [1, 2, 3] }, [{ op: "move", from: "/l/0", path: "/l/-" }]),
      {
        l: [2, 3, 1],
      },
    );
    assert.deepEqual(applyJsonPatch({ a: 1 }, [{ op: "move", from: "/a", path: "/a" }]), { a: 1 });
  });

  test("move fails for a missing source, a missing destination or into its own child", () => {
    assertPatchError(
      () => applyJsonPatch({ a: 1 }, [{ op: "move", from: "/x", path: "/y" }]),
      "Invalid",
      "move operation does not apply: doc is missing from path: /x",
    );
    assertPatchError(
      () => applyJsonPatch({ a: 1 }, [{ op: "move", from: "/a", path: "/x/y" }]),
      "Invalid",
      "move operation does not apply: doc is missing destination path: /x/y",
    );
    assertPatchError(
      () => applyJsonPatch({ a: { b: 1 } }, [{ op: "move", from: "/a", path: "/a/b/c" }]),
      "Invalid",
      "move operation does not apply: cannot move /a into its own child /a/b/c",
    );
  });

  test("copies deeply: the copy and the source are independent", () => {
    const out = applyJsonPatch({ a: { l: [1] } }, [
      { op: "copy", from: "/a", path: "/b" },
      { op: "add", path: "/b/l/-", value: 2 },
    ]);
    assert.deepEqual(out, { a: { l: [1] }, b: { l: [1, 2] } });
    assertPatchError(
      () => applyJsonPatch({ a: 1 }, [{ op: "copy", from: "/z", path: "/b" }]),
      "Invalid",
      "copy operation does not apply: doc is missing from path: /z",
    );
  });

  test("test compares structurally, ignoring key order", () => {
    const doc = { spec: { x: { a: 1, b: [1, { c: null }] } } };
    const value = { b: [1, { c: null }], a: 1 };
    assert.deepEqual(applyJsonPatch(doc, [{ op: "test", path: "/spec/x", value }]), doc);
    assertPatchError(
      () => applyJsonPatch(doc, [{ op: "test", path: "/spec/x/a", value: "1" }]),
      "Invalid",
      "testing value /spec/x/a failed",
    );
    assertPatchError(
      () => applyJsonPatch(doc, [{ op: "test", path: "/spec/y", value: null }]),
      "Invalid",
      "test operation does not apply: doc is missing path: /spec/y",
    );
  });

  test("a failed test stops the patch and reports the operation index", () => {
    const doc = { metadata: { resourceVersion: "5" }, spec: { replicas: 1 } };
    assert.throws(
      () =>
        applyJsonPatch(doc, [
          { op: "replace", path: "/spec/replicas", value: 2 },
          { op: "test", path: "/metadata/resourceVersion", value: "4" },
        ]),
      (err: unknown) => isPatchError(err, "Invalid") && err.operation === 1,
    );
    assert.deepEqual(doc, { metadata: { resourceVersion: "5" }, spec: { replicas: 1 } });
  });
});

describe("JSON patch: decoding and safety", () => {
  test("the body must be an array of objects", () => {
    assertPatchError(
      () => applyJsonPatch({}, { op: "add" }),
      "BadRequest",
      /JSON array of operations/,
    );
    assertPatchError(
      () => decodeJsonPatch([1]),
      "BadRequest",
      "json patch operation 0 is not a JSON object: 1",
    );
  });

  test("malformed operations are Invalid and name the problem", () => {
    assertPatchError(
      () => decodeJsonPatch([{ op: "frob", path: "/a" }]),
      "Invalid",
      "Unexpected kind: frob",
    );
    assertPatchError(
      () => decodeJsonPatch([{ path: "/a" }]),
      "Invalid",
      "Unexpected kind: unknown",
    );
    assertPatchError(
      () => decodeJsonPatch([{ op: "remove" }]),
      "Invalid",
      'remove operation failed to decode path: missing "path" string',
    );
    assertPatchError(
      () => decodeJsonPatch([{ op: "copy", path: "/a" }]),
      "Invalid",
      'copy operation failed to decode from: missing "from" string',
    );
    assertPatchError(
      () => decodeJsonPatch([{ op: "add", path: "/a" }]),
      "Invalid",
      'add operation is missing "value"',
    );
    assertPatchError(
      () => applyJsonPatch({}, [{ op: "add", path: "a", value: 1 }]),
      "Invalid",
      /invalid JSON pointer "a": must be empty or start with "\/"/,
    );
    assertPatchError(
      () => applyJsonPatch({}, [{ op: "add", path: "/a~2", value: 1 }]),
      "Invalid",
      /"~" must be followed/,
    );
  });

  test("null is a value like any other", () => {
    assert.deepEqual(applyJsonPatch({}, [{ op: "add", path: "/a", value: null }]), { a: null });
  });

  test("inputs are not changed and the result shares nothing with them", () => {
    const doc = pod();
    const value = { name: "c", env: [] as unknown[] };
    const patch = [{ op: "add", path: "/spec/containers/-", value }];
    const out = applyJsonPatch(doc, patch) as ReturnType<typeof pod>;
    assert.deepEqual(doc, pod());
    assert.notEqual(out.spec.containers[2], value);
    assert.notEqual(out.metadata, doc.metadata);
  });

  test("__proto__ is an ordinary key", () => {
    const out = applyJsonPatch({}, [{ op: "add", path: "/__proto__", value: { polluted: true } }]);
    assert.ok(Object.hasOwn(out as object, "__proto__"));
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assertPatchError(
      () => applyJsonPatch({}, [{ op: "replace", path: "/__proto__/x", value: 1 }]),
      "Invalid",
      /doc is missing path/,
    );
  });

  test("kubectl rollout undo: replace the template and annotations", () => {
    const deployment = {
      metadata: { annotations: { "deployment.kubernetes.io/revision": "2" } },
      spec: { template: { spec: { containers: [{ name: "web", image: "nginx:2" }] } } },
    };
    const out = applyJsonPatch(deployment, [
      {
        op: "replace",
        path: "/spec/template",
        value: { spec: { containers: [{ name: "web", image: "nginx:1" }] } },
      },
      {
        op: "replace",
        path: "/metadata/annotations",
        value: { "deployment.kubernetes.io/revision": "1" },
      },
    ]);
    assert.deepEqual(out, {
      metadata: { annotations: { "deployment.kubernetes.io/revision": "1" } },
      spec: { template: { spec: { containers: [{ name: "web", image: "nginx:1" }] } } },
    });
  });
});
