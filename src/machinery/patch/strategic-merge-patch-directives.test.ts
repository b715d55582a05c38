import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { strategicMergePatch as smp } from "./strategic-merge-patch.ts";
import { assertPatchError } from "./testing/assert-patch-error.ts";
import { deploymentMeta, mergeItemMeta, podMeta } from "./testing/fake-patch-meta.ts";

describe("strategic merge patch: $retainKeys", () => {
  test("a volume switching source drops the old one (volumes are merge,retainKeys)", () => {
    const pod = {
      spec: {
        volumes: [
          { name: "v", configMap: { name: "cm" } },
          { name: "w", emptyDir: {} },
        ],
      },
    };
    const patch = {
      spec: {
        volumes: [{ name: "v", $retainKeys: ["emptyDir", "name"], emptyDir: { medium: "Memory" } }],
      },
    };
    assert.deepEqual(smp(pod, patch, podMeta), {
      spec: {
        volumes: [
          { name: "v", emptyDir: { medium: "Memory" } },
          { name: "w", emptyDir: {} },
        ],
      },
    });
  });

  test("Deployment strategy RollingUpdate → Recreate", () => {
    const deployment = {
      spec: { strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 1 } } },
    };
    const patch = {
      spec: { strategy: { $retainKeys: ["type"], type: "Recreate", rollingUpdate: null } },
    };
    assert.deepEqual(smp(deployment, patch, deploymentMeta), {
      spec: { strategy: { type: "Recreate" } },
    });
  });

  test("retained fields still merge", () => {
    const original = {
      retainKeysMap: { name: "foo", value: "bar", simpleMap: { key1: "a", key2: "b" }, other: "x" },
    };
    const patch = {
      retainKeysMap: { $retainKeys: ["name", "simpleMap", "value"], simpleMap: { key1: "new" } },
    };
    assert.deepEqual(smp(original, patch, mergeItemMeta), {
      retainKeysMap: { name: "foo", value: "bar", simpleMap: { key1: "new", key2: "b" } },
    });
  });

  test("without the directive, a retainKeys field merges like any map", () => {
    const original = { retainKeysMap: { name: "foo", value: "a" } };
    assert.deepEqual(smp(original, { retainKeysMap: { value: null } }, mergeItemMeta), {
      retainKeysMap: { name: "foo" },
    });
    assert.deepEqual(smp(original, { retainKeysMap: {} }, mergeItemMeta), original);
  });

  test("the directive is removed from a new map", () => {
    const out = smp(
      { spec: {} },
      { spec: { strategy: { $retainKeys: ["type"], type: "Recreate" } } },
      deploymentMeta,
    );
    assert.deepEqual(out, { spec: { strategy: { type: "Recreate" } } });
  });

  test("must be a list naming every field the patch sets", () => {
    assertPatchError(
      () => smp({ m: {} }, { m: { $retainKeys: "type" } }, undefined),
      "BadRequest",
      'invalid patch format of retainKeys: "type" is not a list (at .m)',
    );
    assertPatchError(
      () => smp({ m: {} }, { m: { $retainKeys: ["a"], a: 1, b: 2 } }, undefined),
      "BadRequest",
      'invalid patch format of retainKeys: "b" is set but not in $retainKeys ["a"] (at .m)',
    );
  });
});

describe("strategic merge patch: $deleteFromPrimitiveList", () => {
  test("removes values (all copies) from a primitive list", () => {
    const pod = { metadata: { finalizers: ["a", "b", "b", "c"] } };
    const out = smp(
      pod,
      { metadata: { "$deleteFromPrimitiveList/finalizers": ["b", "z"] } },
      podMeta,
    );
    assert.deepEqual(out, { metadata: { finalizers: ["a", "c"] } });
  });

  test("adds and deletes in one patch (without an order, new values go first, as upstream)", () => {
    const pod = { metadata: { finalizers: ["a", "b"] } };
    const patch = { metadata: { finalizers: ["c"], "$deleteFromPrimitiveList/finalizers": ["a"] } };
    assert.deepEqual(smp(pod, patch, podMeta), { metadata: { finalizers: ["c", "b"] } });
  });

  test("does nothing when the list is absent and never creates it", () => {
    const out = smp(
      { metadata: {} },
      { metadata: { "$deleteFromPrimitiveList/finalizers": ["a"] } },
      podMeta,
    );
    assert.deepEqual(out, { metadata: {} });
  });

  test("malformed forms are rejected", () => {
    assertPatchError(
      () => smp({}, { "$deleteFromPrimitiveList/finalizers": "a" }, undefined),
      "BadRequest",
      "invalid patch format of primitive list: $deleteFromPrimitiveList/finalizers must be a list",
    );
    assertPatchError(
      () => smp({}, { $deleteFromPrimitiveList: ["a"] }, undefined),
      "BadRequest",
      'invalid patch format of primitive list: "$deleteFromPrimitiveList"',
    );
  });
});

describe("strategic merge patch: $setElementOrder", () => {
  test("orders a keyed list; server-only items keep their place", () => {
    const original = {
      mergingList: [
        { name: 1, other: "a" },
        { name: 2, value: 2, other: "b" },
      ],
    };
    const patch = {
      "$setElementOrder/mergingList": [{ name: 4 }, { name: 1 }, { name: 2 }, { name: 3 }],
      mergingList: [
        { name: 4, value: 4 },
        { name: 3, value: 3 },
      ],
    };
    assert.deepEqual(smp(original, patch, mergeItemMeta), {
      mergingList: [
        { name: 4, value: 4 },
        { name: 1, other: "a" },
        { name: 2, value: 2, other: "b" },
        { name: 3, value: 3 },
      ],
    });
  });

  test("items the server added after the client's keep their place at the end", () => {
    const original = {
      retainKeysMap: { name: "foo", mergingList: [{ name: "a" }, { name: "b" }, { name: "x" }] },
    };
    const patch = {
      retainKeysMap: {
        $retainKeys: ["mergingList", "name"],
        "$setElementOrder/mergingList": [{ name: "a" }, { name: "b" }, { name: "c" }],
        mergingList: [{ name: "c" }],
      },
    };
    assert.deepEqual(smp(original, patch, mergeItemMeta), {
      retainKeysMap: {
        name: "foo",
        mergingList: [{ name: "a" }, { name: "b" }, { name: "c" }, { name: "x" }],
      },
    });
  });

  test("reorders without a patch list, and ignores names the list lacks", () => {
    const original = { mergingList: [{ name: 1 }, { name: 3 }] };
    const patch = { "$setElementOrder/mergingList": [{ name: 3 }, { name: 2 }, { name: 1 }] };
    assert.deepEqual(smp(original, patch, mergeItemMeta), {
      mergingList: [{ name: 3 }, { name: 1 }],
    });
    const ints = { "$setElementOrder/mergingIntList": [3, 2, 1] };
    assert.deepEqual(smp({ mergingIntList: [1, 3] }, ints, mergeItemMeta), {
      mergingIntList: [3, 1],
    });
  });

  test("primitive lists: add and delete with an order", () => {
    const current = { mergingIntList: [1, 2, 3, 4] };
    const patch = {
      "$setElementOrder/mergingIntList": [1, 2, 4],
      "$deleteFromPrimitiveList/mergingIntList": [3],
      mergingIntList: [4],
    };
    assert.deepEqual(smp(current, patch, mergeItemMeta), { mergingIntList: [1, 2, 4] });
    const add = { "$setElementOrder/mergingIntList": [1, 2, 4], mergingIntList: [4] };
    assert.deepEqual(smp({ mergingIntList: [1, 2, 3] }, add, mergeItemMeta), {
      mergingIntList: [1, 2, 4, 3],
    });
  });

  test("deletions in the patch list are carried out", () => {
    const original = { mergingList: [{ name: "a" }, { name: "b" }, { name: "x" }] };
    const patch = {
      "$setElementOrder/mergingList": [{ name: "a" }],
      mergingList: [{ name: "b", $patch: "delete" }],
    };
    assert.deepEqual(smp(original, patch, mergeItemMeta), {
      mergingList: [{ name: "a" }, { name: "x" }],
    });
  });

  test("a list new to the server is taken in the given order, directives removed", () => {
    const patch = {
      spec: {
        "$setElementOrder/containers": [{ name: "b" }, { name: "a" }],
        containers: [
          { name: "b", "$setElementOrder/env": [{ name: "X" }], env: [{ name: "X", value: "1" }] },
          { name: "a" },
        ],
      },
    };
    assert.deepEqual(smp({ spec: {} }, patch, podMeta), {
      spec: { containers: [{ name: "b", env: [{ name: "X", value: "1" }] }, { name: "a" }] },
    });
  });

  test("does nothing when neither the server nor the patch has the list", () => {
    assert.deepEqual(
      smp({ a: 1 }, { "$setElementOrder/mergingList": [{ name: 1 }] }, mergeItemMeta),
      { a: 1 },
    );
  });

  test("a patch list out of step with the order is rejected", () => {
    const original = { mergingList: [{ name: 1 }, { name: 3 }, { name: 2 }] };
    const patch = {
      "$setElementOrder/mergingList": [{ name: 1 }, { name: 2 }, { name: 3 }],
      mergingList: [
        { name: 3, value: 3 },
        { name: 1, value: 1 },
      ],
    };
    assertPatchError(
      () => smp(original, patch, mergeItemMeta),
      "BadRequest",
      /^the order in patch list: .* doesn't match \$setElementOrder list/,
    );
    const ints = { "$setElementOrder/mergingIntList": [1, 2, 3], mergingIntList: [3, 1] };
    assertPatchError(
      () => smp({ mergingIntList: [1, 3, 2] }, ints, mergeItemMeta),
      "BadRequest",
      /doesn't match/,
    );
  });

  test("malformed forms are rejected", () => {
    assertPatchError(
      () => smp({}, { "$setElementOrder/mergingList": { name: 1 } }, mergeItemMeta),
      "BadRequest",
      "invalid patch format of setElementOrder list: $setElementOrder/mergingList must be a list",
    );
    assertPatchError(
      () => smp({}, { $setElementOrder: [] }, mergeItemMeta),
      "BadRequest",
      /setElementOrder list: "\$setElementOrder"/,
    );
    assertPatchError(
      () =>
        smp(
          { mergingList: [] },
          { "$setElementOrder/mergingList": [{ value: 1 }], mergingList: [{ name: 1 }] },
          mergeItemMeta,
        ),
      "BadRequest",
      /does not contain declared merge key: name \(at \.mergingList\)/,
    );
  });

  test("a null patch list deletes the field; the order is moot", () => {
    const patch = { "$setElementOrder/mergingList": [{ name: 1 }], mergingList: null };
    assert.deepEqual(smp({ mergingList: [{ name: 1 }], a: 1 }, patch, mergeItemMeta), { a: 1 });
  });
});
