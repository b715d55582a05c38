/**
 * The order of a merged list in strategic merge patch. Items named by the patch (or by
 * `$setElementOrder/<field>`) take the patch's order; items only on the server keep theirs; the
 * two runs are interleaved by the server's order where both are known. New items therefore come
 * before the server's items they are not ordered against, as upstream does (see
 * `normalizeElementOrder` and `mergeSortedSlice` in apimachinery's strategicpatch).
 *
 * Items of keyed lists are identified by their merge key, primitives by value.
 */
import { deepEqual, describe, hasOwn, isJsonObject } from "./json-value.ts";
import { badRequest } from "./patch-error.ts";
import {
  at,
  deleteDirective,
  directiveMarker,
  errNoMergeKey,
  setElementOrderDirectivePrefix,
} from "./smp-directives.ts";

/** The merge key value of a keyed-list item; throws if the item has none. */
export function mergeKeyValue(item: unknown, mergeKey: string, path: string): unknown {
  if (!isJsonObject(item) || !hasOwn(item, mergeKey)) throw errNoMergeKey(item, mergeKey, path);
  return item[mergeKey];
}

/** Throws unless every item of every list carries the merge key (no-op for primitive lists). */
export function validateMergeKeyInLists(
  mergeKey: string,
  path: string,
  ...lists: unknown[][]
): void {
  if (mergeKey === "") return;
  for (const list of lists) for (const item of list) mergeKeyValue(item, mergeKey, path);
}

function sameItem(a: unknown, b: unknown, mergeKey: string, path: string): boolean {
  if (mergeKey === "") return deepEqual(a, b);
  return deepEqual(mergeKeyValue(a, mergeKey, path), mergeKeyValue(b, mergeKey, path));
}

/** Position of `item` in `list`, or -1. */
export function indexOfItem(
  list: readonly unknown[],
  item: unknown,
  mergeKey: string,
  path: string,
): number {
  return list.findIndex((candidate) => sameItem(candidate, item, mergeKey, path));
}

/** Splits `items` into those present in `partitionBy` and the rest, keeping their order. */
export function partitionByPresence(
  items: readonly unknown[],
  partitionBy: readonly unknown[],
  mergeKey: string,
  path: string,
): [present: unknown[], absent: unknown[]] {
  const present: unknown[] = [];
  const absent: unknown[] = [];
  for (const item of items) {
    (indexOfItem(partitionBy, item, mergeKey, path) >= 0 ? present : absent).push(item);
  }
  return [present, absent];
}

/** A stable sort of `items` by their position in `order`; unknown items go last. */
function sortByOrder(
  items: unknown[],
  order: readonly unknown[],
  mergeKey: string,
  path: string,
): unknown[] {
  const rank = (item: unknown) => {
    const index = indexOfItem(order, item, mergeKey, path);
    return index < 0 ? Number.POSITIVE_INFINITY : index;
  };
  return items
    .map((item, position) => ({ item, position, rank: rank(item) }))
    .sort((a, b) => (a.rank === b.rank ? a.position - b.position : a.rank - b.rank))
    .map((entry) => entry.item);
}

/**
 * Sorts `patchItems` by `patchOrder` and `serverOnly` by `serverOrder`, then interleaves them:
 * a server item goes first only when both it and the next patch item are in `serverOrder` and it
 * comes earlier there.
 */
export function normalizeElementOrder(options: {
  readonly patchItems: unknown[];
  readonly serverOnly: unknown[];
  readonly patchOrder: readonly unknown[];
  readonly serverOrder: readonly unknown[];
  readonly mergeKey: string;
  readonly path: string;
}): unknown[] {
  const { mergeKey, path, serverOrder } = options;
  validateMergeKeyInLists(mergeKey, path, options.patchItems, options.serverOnly);
  const right = sortByOrder(options.patchItems, options.patchOrder, mergeKey, path);
  const left = sortByOrder(options.serverOnly, serverOrder, mergeKey, path);
  const merged: unknown[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length || j < right.length) {
    if (j >= right.length) {
      merged.push(left[i++]);
    } else if (i >= left.length) {
      merged.push(right[j++]);
    } else {
      const li = indexOfItem(serverOrder, left[i], mergeKey, path);
      const ri = indexOfItem(serverOrder, right[j], mergeKey, path);
      merged.push(li >= 0 && ri >= 0 && li < ri ? left[i++] : right[j++]);
    }
  }
  return merged;
}

const isDeleteItem = (item: unknown): boolean =>
  isJsonObject(item) && item[directiveMarker] === deleteDirective;

/**
 * Checks that the items of the patch list (deletions aside) appear in `$setElementOrder` and in
 * the same relative order.
 */
export function validatePatchWithSetOrderList(
  patchList: readonly unknown[],
  order: readonly unknown[],
  mergeKey: string,
  path: string,
): void {
  if (order.length === 0 || patchList.length === 0) return;
  const items = mergeKey === "" ? patchList : patchList.filter((item) => !isDeleteItem(item));
  let p = 0;
  let s = 0;
  while (p < items.length && s < order.length) {
    const item = items[p];
    if (isJsonObject(item) && hasOwn(item, directiveMarker)) {
      p++;
      continue;
    }
    if (sameItem(item, order[s], mergeKey, path)) p++;
    s++;
  }
  if (p < items.length) {
    throw badRequest(
      `the order in patch list: ${describe(patchList)} doesn't match ` +
        `${setElementOrderDirectivePrefix} list: ${describe(order)}${at(path)}`,
    );
  }
}
