/**
 * Merging a list whose field has the "merge" strategy (upstream's `mergeSlice`): primitives form
 * an ordered set; objects are matched on the merge key, merged when found and added when not;
 * `$patch: delete` items remove matches, a `$patch: replace` item makes the other items the whole
 * list. Merging an item's fields is the caller's (`mergeItem`), so this module does not import
 * the map merge back.
 */
import { mergeKeyValue, normalizeElementOrder, partitionByPresence } from "./element-order.ts";
import { deepEqual, describe, hasOwn, isJsonObject, type JsonObject } from "./json-value.ts";
import { badRequest } from "./patch-error.ts";
import type { PatchMeta } from "./patch-meta.ts";
import {
  at,
  deleteDirective,
  directiveMarker,
  errBadPatchType,
  errNoListOfLists,
  mergeDirective,
  replaceDirective,
} from "./smp-directives.ts";

export interface MergeSliceOptions {
  /** The meta of the list's elements. */
  readonly meta: PatchMeta | undefined;
  /** "" for primitive lists. */
  readonly mergeKey: string;
  /** Of the list, for error messages, e.g. ".spec.containers". */
  readonly path: string;
  /** Merges a patch item into the server's item with the same key. */
  readonly mergeItem: (
    original: JsonObject,
    patch: JsonObject,
    meta: PatchMeta | undefined,
    path: string,
  ) => JsonObject;
  /** A patch item with no server item under it, its directives carried out. */
  readonly newItem: (value: unknown, meta: PatchMeta | undefined, path: string) => unknown;
}

/** Merges `patch` into `original` (which the caller owns) and returns the merged list. */
export function mergeSlice(
  original: unknown[],
  patch: readonly unknown[],
  options: MergeSliceOptions,
): unknown[] {
  const { mergeKey, path } = options;
  if (original.length === 0 && patch.length === 0) return original;
  if (sliceElementKind(original, patch, path) !== "object") {
    const merged = [...new Set([...original, ...patch])];
    const [patchItems, serverOnly] = partitionByPresence(merged, patch, "", path);
    return normalizeElementOrder({
      patchItems,
      serverOnly,
      patchOrder: patch,
      serverOrder: original,
      mergeKey: "",
      path,
    });
  }
  if (mergeKey === "") {
    throw badRequest(`cannot merge lists of objects without a merge key${at(path)}`);
  }
  const { base, items } = mergeSliceWithSpecialElements(original, patch, options);
  const serverOrder = [...base];
  for (const item of items) {
    const key = mergeKeyValue(item, mergeKey, path);
    const index = base.findIndex(
      (e) => isJsonObject(e) && hasOwn(e, mergeKey) && deepEqual(e[mergeKey], key),
    );
    const found = base[index];
    if (isJsonObject(found)) base[index] = options.mergeItem(found, item, options.meta, path);
    else base.push(options.newItem(item, options.meta, path));
  }
  const [patchItems, serverOnly] = partitionByPresence(base, items, mergeKey, path);
  return normalizeElementOrder({
    patchItems,
    serverOnly,
    patchOrder: items,
    serverOrder,
    mergeKey,
    path,
  });
}

/**
 * Carries out the `$patch` items of a keyed list: returns the server list after deletions (or the
 * replacement list) and the plain items still to merge.
 */
function mergeSliceWithSpecialElements(
  original: unknown[],
  patch: readonly unknown[],
  options: MergeSliceOptions,
): { base: unknown[]; items: JsonObject[] } {
  const { mergeKey, path } = options;
  let base = [...original];
  let replace = false;
  const items: JsonObject[] = [];
  for (const item of patch) {
    if (!isJsonObject(item)) continue; // ruled out by sliceElementKind
    if (!hasOwn(item, directiveMarker)) {
      items.push(item);
      continue;
    }
    const directive = item[directiveMarker];
    if (directive === deleteDirective) {
      const key = mergeKeyValue(item, mergeKey, path);
      base = base.filter(
        (e) => !(isJsonObject(e) && hasOwn(e, mergeKey) && deepEqual(e[mergeKey], key)),
      );
    } else if (directive === replaceDirective) {
      replace = true;
    } else if (directive === mergeDirective) {
      if (Object.keys(item).length > 1) items.push(item);
    } else {
      throw errBadPatchType(directive, item, path);
    }
  }
  if (!replace) return { base, items };
  return { base: items.map((item) => options.newItem(item, options.meta, path)), items: [] };
}

/** "object" or the primitive type shared by every element; throws for lists of lists or mixes. */
function sliceElementKind(
  original: readonly unknown[],
  patch: readonly unknown[],
  path: string,
): string {
  let kind: string | undefined;
  for (const item of [...original, ...patch]) {
    if (Array.isArray(item)) throw errNoListOfLists(path);
    const current = item === null ? "null" : typeof item;
    if (kind !== undefined && kind !== current) {
      throw badRequest(
        `list element types are not identical: ${describe(original)} and ${describe(patch)}${at(path)}`,
      );
    }
    kind = current;
  }
  return kind ?? "object";
}
