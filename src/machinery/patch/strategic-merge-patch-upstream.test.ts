/**
 * Cases from apimachinery's strategicpatch tests (current object + three-way patch → result),
 * rewritten against `mergeItemMeta`, the same shape as upstream's `MergeItem`.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { strategicMergePatch as smp } from "./strategic-merge-patch.ts";
import { mergeItemMeta } from "./testing/fake-patch-meta.ts";

interface Case {
  readonly name: string;
  readonly current: Record<string, unknown>;
  readonly patch: Record<string, unknown>;
  readonly result: Record<string, unknown>;
}

const n = (name: unknown, rest: Record<string, unknown> = {}) => ({ name, ...rest });
const rk = (fields: Record<string, unknown>) => ({ retainKeysMap: fields });

const cases: Case[] = [
  {
    name: "add a field to a map",
    current: { name: 1, other: "a" },
    patch: { value: 1 },
    result: { name: 1, other: "a", value: 1 },
  },
  {
    name: "add a field and delete a field",
    current: { name: 1, other: "a" },
    patch: { name: null, value: 1 },
    result: { other: "a", value: 1 },
  },
  {
    name: "delete a field from a nested map",
    current: { simpleMap: { key1: 1, key2: 1, other: "a" } },
    patch: { simpleMap: { key2: null } },
    result: { simpleMap: { key1: 1, other: "a" } },
  },
  {
    name: "null values overwrite current fields",
    current: { name: "a", other: "a" },
    patch: { name: 1, value: 1, other: null },
    result: { name: 1, value: 1 },
  },
  {
    name: "replace a list of scalars",
    current: { nonMergingIntList: [1, 4] },
    patch: { nonMergingIntList: [2, 3] },
    result: { nonMergingIntList: [2, 3] },
  },
  {
    name: "delete all maps from a merging list",
    current: { mergingList: [n(1, { other: "a" }), n(2, { other: "b" })] },
    patch: { mergingList: [n(1, { $patch: "delete" }), n(2, { $patch: "delete" })] },
    result: { mergingList: [] },
  },
  {
    name: "delete all maps from an empty merging list",
    current: { mergingList: [] },
    patch: { mergingList: [n(1, { $patch: "delete" }), n(2, { $patch: "delete" })] },
    result: { mergingList: [] },
  },
  {
    name: "delete items in lists of scalars",
    current: { mergingIntList: [1, 2, 3, 4] },
    patch: {
      "$setElementOrder/mergingIntList": [1, 2],
      "$deleteFromPrimitiveList/mergingIntList": [3],
    },
    result: { mergingIntList: [1, 2, 4] },
  },
  {
    name: "delete all duplicate items in lists of scalars",
    current: { mergingIntList: [1, 2, 3, 3, 4] },
    patch: {
      "$setElementOrder/mergingIntList": [1, 2],
      "$deleteFromPrimitiveList/mergingIntList": [3],
    },
    result: { mergingIntList: [1, 2, 4] },
  },
  {
    name: "merge lists of maps with conflict",
    current: { mergingList: [n(1, { other: "a" }), n(2, { value: 3, other: "b" })] },
    patch: {
      "$setElementOrder/mergingList": [n(1), n(2), n(3)],
      mergingList: [n(2, { value: 2 }), n(3, { value: 3 })],
    },
    result: {
      mergingList: [n(1, { other: "a" }), n(2, { value: 2, other: "b" }), n(3, { value: 3 })],
    },
  },
  {
    name: "retainKeys map: nested merging int list unchanged",
    current: rk({ name: "foo", mergingIntList: [1, 2, 3] }),
    patch: rk({
      $retainKeys: ["mergingIntList", "name", "value"],
      "$setElementOrder/mergingIntList": [1, 2],
      value: "bar",
    }),
    result: rk({ name: "foo", mergingIntList: [1, 2, 3], value: "bar" }),
  },
  {
    name: "retainKeys map: delete an item of a nested merging int list",
    current: rk({ name: "foo", mergingIntList: [1, 2, 3, 4] }),
    patch: rk({
      $retainKeys: ["mergingIntList", "name"],
      "$deleteFromPrimitiveList/mergingIntList": [2],
      "$setElementOrder/mergingIntList": [1, 3],
    }),
    result: rk({ name: "foo", mergingIntList: [1, 3, 4] }),
  },
  {
    name: "retainKeys map: add and delete items of a nested merging int list",
    current: rk({ name: "foo", mergingIntList: [1, 2, 3, 4] }),
    patch: rk({
      $retainKeys: ["mergingIntList", "name"],
      mergingIntList: [5],
      "$deleteFromPrimitiveList/mergingIntList": [2],
      "$setElementOrder/mergingIntList": [1, 3, 5],
    }),
    result: rk({ name: "foo", mergingIntList: [1, 3, 5, 4] }),
  },
  {
    name: "retainKeys map: delete a nested merging list",
    current: rk({ name: "foo", mergingList: [n("a"), n("b")] }),
    patch: rk({ $retainKeys: ["name", "value"], value: "bar", mergingList: null }),
    result: rk({ name: "foo", value: "bar" }),
  },
  {
    name: "retainKeys map: change an item of a nested merging list",
    current: rk({ name: "foo", mergingList: [n("a"), n("b", { value: "foo" }), n("x")] }),
    patch: rk({
      $retainKeys: ["mergingList", "name"],
      "$setElementOrder/mergingList": [n("a"), n("b")],
      mergingList: [n("b", { value: "bar" })],
    }),
    result: rk({ name: "foo", mergingList: [n("a"), n("b", { value: "bar" }), n("x")] }),
  },
  {
    name: "retainKeys map: replace a non-merging list",
    current: rk({ name: "foo", value: "bar", nonMergingList: [n("a"), n("b")] }),
    patch: rk({
      $retainKeys: ["name", "nonMergingList", "value"],
      nonMergingList: [n("a"), n("c"), n("b")],
    }),
    result: rk({ name: "foo", value: "bar", nonMergingList: [n("a"), n("c"), n("b")] }),
  },
  {
    name: "retainKeys list of maps clears a field",
    current: { retainKeysMergingList: [n("bar"), n("foo", { value: "a", other: "x" })] },
    patch: {
      "$setElementOrder/retainKeysMergingList": [n("bar"), n("foo")],
      retainKeysMergingList: [n("foo", { $retainKeys: ["name", "value"] })],
    },
    result: { retainKeysMergingList: [n("bar"), n("foo", { value: "a" })] },
  },
  {
    name: "a replacing item is replaced, not merged",
    current: { replacingItem: { a: 1, b: { c: 1 } } },
    patch: { replacingItem: { b: { d: 1 } } },
    result: { replacingItem: { b: { d: 1 } } },
  },
];

describe("strategic merge patch: upstream cases", () => {
  for (const c of cases) {
    test(c.name, () => {
      assert.deepEqual(smp(c.current, c.patch, mergeItemMeta), c.result);
    });
  }
});
