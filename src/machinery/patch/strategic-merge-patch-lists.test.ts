import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { strategicMergePatch as smp } from "./strategic-merge-patch.ts";
import { assertPatchError } from "./testing/assert-patch-error.ts";
import {
  keyedList,
  list,
  mergeItemMeta,
  podMeta,
  setList,
  struct,
} from "./testing/fake-patch-meta.ts";

const spec = (containers: unknown[]) => ({ spec: { containers } });

describe("strategic merge patch: lists merged by key", () => {
  test("merges the item with the same key and leaves the others", () => {
    const pod = spec([
      { name: "a", image: "x" },
      { name: "b", image: "y" },
    ]);
    const out = smp(pod, spec([{ name: "b", image: "z", imagePullPolicy: "Always" }]), podMeta);
    assert.deepEqual(
      out,
      spec([
        { name: "a", image: "x" },
        { name: "b", image: "z", imagePullPolicy: "Always" },
      ]),
    );
  });

  test("a new item without $setElementOrder goes first, as upstream puts it", () => {
    const out = smp(
      spec([{ name: "a" }, { name: "b" }]),
      spec([{ name: "c", image: "i" }]),
      podMeta,
    );
    assert.deepEqual(out, spec([{ name: "c", image: "i" }, { name: "a" }, { name: "b" }]));
  });

  test("items named by the patch take the patch's order", () => {
    const original = { mergingList: [{ name: 1 }, { name: 2, value: "b" }, { name: 3 }] };
    const patch = {
      mergingList: [
        { name: 3, value: "c" },
        { name: 1, value: "a" },
        { name: 2, other: "x" },
      ],
    };
    assert.deepEqual(smp(original, patch, mergeItemMeta), {
      mergingList: [
        { name: 3, value: "c" },
        { name: 1, value: "a" },
        { name: 2, value: "b", other: "x" },
      ],
    });
    const partial = {
      mergingList: [
        { name: 3, value: "c" },
        { name: 1, value: "a" },
      ],
    };
    assert.deepEqual(smp(original, partial, mergeItemMeta), {
      mergingList: [
        { name: 2, value: "b" },
        { name: 3, value: "c" },
        { name: 1, value: "a" },
      ],
    });
  });

  test("merges nested keyed lists: env by name, ports by containerPort", () => {
    const pod = spec([
      {
        name: "a",
        env: [
          { name: "X", value: "1" },
          { name: "Y", value: "2" },
        ],
        ports: [{ containerPort: 80, name: "http" }],
      },
    ]);
    const patch = spec([
      {
        name: "a",
        env: [{ name: "Y", value: "3" }],
        ports: [{ containerPort: 80, protocol: "TCP" }],
      },
    ]);
    assert.deepEqual(
      smp(pod, patch, podMeta),
      spec([
        {
          name: "a",
          env: [
            { name: "X", value: "1" },
            { name: "Y", value: "3" },
          ],
          ports: [{ containerPort: 80, name: "http", protocol: "TCP" }],
        },
      ]),
    );
  });

  test("a merged item can delete its own fields with null", () => {
    const pod = spec([{ name: "a", image: "x", args: ["--v"] }]);
    assert.deepEqual(
      smp(pod, spec([{ name: "a", args: null }]), podMeta),
      spec([{ name: "a", image: "x" }]),
    );
  });

  test("a patch item without the merge key is rejected", () => {
    assertPatchError(
      () => smp(spec([{ name: "a" }]), spec([{ image: "nginx" }]), podMeta),
      "BadRequest",
      'map: {"image":"nginx"} does not contain declared merge key: name (at .spec.containers)',
    );
    assertPatchError(
      () => smp(spec([{ image: "x" }]), spec([{ name: "a" }]), podMeta),
      "BadRequest",
      /does not contain declared merge key: name/,
    );
  });

  test("lists of objects with the merge strategy need a merge key", () => {
    const meta = struct({ l: list(struct({}), { patchStrategy: "merge" }) });
    assertPatchError(
      () => smp({ l: [{ a: 1 }] }, { l: [{ a: 2 }] }, meta),
      "BadRequest",
      /without a merge key \(at \.l\)/,
    );
  });

  test("an empty patch list keeps the server's list", () => {
    assert.deepEqual(smp(spec([{ name: "a" }]), spec([]), podMeta), spec([{ name: "a" }]));
    assert.deepEqual(smp(spec([]), spec([]), podMeta), spec([]));
  });
});

describe("strategic merge patch: $patch items in lists", () => {
  test("$patch: delete removes every item with that key", () => {
    const original = {
      mergingList: [{ name: 1 }, { name: 1 }, { name: 2, value: "a" }, { name: 3 }],
    };
    const patch = {
      mergingList: [
        { name: 1, $patch: "delete" },
        { name: 3, $patch: "delete" },
      ],
    };
    assert.deepEqual(smp(original, patch, mergeItemMeta), {
      mergingList: [{ name: 2, value: "a" }],
    });
  });

  test("$patch: delete of a missing item is a no-op; without the key it is rejected", () => {
    assert.deepEqual(
      smp(spec([{ name: "a" }]), spec([{ name: "z", $patch: "delete" }]), podMeta),
      spec([{ name: "a" }]),
    );
    assertPatchError(
      () => smp(spec([{ name: "a" }]), spec([{ $patch: "delete" }]), podMeta),
      "BadRequest",
      'map: {"$patch":"delete"} does not contain declared merge key: name (at .spec.containers)',
    );
  });

  test("a $patch: replace item makes the other items the whole list", () => {
    const pod = spec([{ name: "a", image: "x" }, { name: "b" }]);
    assert.deepEqual(
      smp(pod, spec([{ name: "c" }, { $patch: "replace" }]), podMeta),
      spec([{ name: "c" }]),
    );
    assert.deepEqual(smp(pod, spec([{ $patch: "replace" }]), podMeta), spec([]));
  });

  test("a $patch: merge item is accepted and changes nothing", () => {
    const pod = spec([{ name: "a" }, { name: "b" }]);
    const out = smp(
      pod,
      spec([{ $patch: "merge" }, { name: "b", image: "y", $patch: "merge" }]),
      podMeta,
    );
    assert.deepEqual(out, spec([{ name: "a" }, { name: "b", image: "y" }]));
  });

  test("other $patch values in list items are rejected", () => {
    assertPatchError(
      () => smp(spec([{ name: "a" }]), spec([{ name: "a", $patch: "drop" }]), podMeta),
      "BadRequest",
      /^Unexpected kind of patch: \$patch value "drop" in map: .* \(at \.spec\.containers\)$/,
    );
  });

  test("directive items are dropped from a list that is new or replaced", () => {
    const patch = {
      spec: {
        containers: [{ name: "a", $patch: "delete" }, { name: "b" }, { $patch: "replace" }],
        tolerations: [{ key: "k" }, { $patch: "replace" }],
      },
    };
    assert.deepEqual(smp({ spec: { tolerations: [{ key: "old" }] } }, patch, podMeta), {
      spec: { tolerations: [{ key: "k" }], containers: [{ name: "b" }] },
    });
  });
});

describe("strategic merge patch: primitive and unmerged lists", () => {
  test("primitive merge lists are ordered sets", () => {
    const pod = { metadata: { finalizers: ["a", "b"] } };
    assert.deepEqual(smp(pod, { metadata: { finalizers: ["b", "c"] } }, podMeta), {
      metadata: { finalizers: ["a", "b", "c"] },
    });
    assert.deepEqual(smp({ mergingIntList: [1, 2] }, { mergingIntList: [2, 3] }, mergeItemMeta), {
      mergingIntList: [1, 2, 3],
    });
  });

  test("primitive merge lists take the patch's order for the values it names", () => {
    const original = { mergingIntList: [1, 2, 3] };
    assert.deepEqual(smp(original, { mergingIntList: [3, 1, 2] }, mergeItemMeta), {
      mergingIntList: [3, 1, 2],
    });
    assert.deepEqual(smp(original, { mergingIntList: [3, 1] }, mergeItemMeta), {
      mergingIntList: [2, 3, 1],
    });
  });

  test("duplicates are removed from primitive merge lists", () => {
    assert.deepEqual(
      smp({ metadata: { finalizers: ["a", "a"] } }, { metadata: { finalizers: ["a"] } }, podMeta),
      {
        metadata: { finalizers: ["a"] },
      },
    );
  });

  test("lists without a strategy are replaced: tolerations, args", () => {
    const pod = {
      spec: {
        tolerations: [{ key: "a" }, { key: "b" }],
        containers: [{ name: "c", args: ["1", "2"] }],
      },
    };
    const patch = {
      spec: { tolerations: [{ key: "c" }], containers: [{ name: "c", args: ["3"] }] },
    };
    assert.deepEqual(smp(pod, patch, podMeta), {
      spec: { tolerations: [{ key: "c" }], containers: [{ name: "c", args: ["3"] }] },
    });
  });

  test("a replaced list's items have their nulls and directives carried out", () => {
    const out = smp(
      { spec: { tolerations: [] } },
      { spec: { tolerations: [{ key: "k", value: null }] } },
      podMeta,
    );
    assert.deepEqual(out, { spec: { tolerations: [{ key: "k" }] } });
  });

  test("lists of lists and mixed element types are rejected", () => {
    const meta = struct({ l: setList(), k: keyedList(struct({}), "name") });
    assertPatchError(
      () => smp({ l: [[1]] }, { l: [[2]] }, meta),
      "Invalid",
      "lists of lists are not supported (at .l)",
    );
    assertPatchError(
      () => smp({ l: ["a"] }, { l: [1] }, meta),
      "BadRequest",
      /^list element types are not identical/,
    );
    assertPatchError(
      () => smp({ k: [{ name: "a" }] }, { k: ["a"] }, meta),
      "BadRequest",
      /not identical/,
    );
  });

  test("a list meets a list field that held something else", () => {
    assert.deepEqual(
      smp({ metadata: { finalizers: "x" } }, { metadata: { finalizers: ["a"] } }, podMeta),
      {
        metadata: { finalizers: ["a"] },
      },
    );
  });
});
