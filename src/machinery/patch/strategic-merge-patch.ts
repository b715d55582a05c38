/**
 * Strategic merge patch (`application/strategic-merge-patch+json`), the patch kubectl apply,
 * edit, patch, set, rollout restart and helm 3 send for built-in kinds. Like a JSON merge patch,
 * except that lists follow the field's strategy from `PatchMeta`: "merge" lists of objects are
 * merged item by item on `patchMergeKey`, "merge" lists of primitives are ordered sets, other
 * lists are replaced whole. A field without meta merges if it is an object and is replaced
 * otherwise.
 *
 * Directives: `$patch: replace | delete | merge` on a map or as a list item, `$retainKeys`,
 * `$deleteFromPrimitiveList/<field>` and `$setElementOrder/<field>`. The semantics are those of
 * apimachinery's `strategicpatch.StrategicMergeMapPatch` (server side: parallel lists merged,
 * unmatched nulls dropped), with the differences listed in this folder's README.
 */
import {
  normalizeElementOrder,
  partitionByPresence,
  validatePatchWithSetOrderList,
} from "./element-order.ts";
import {
  deepCopy,
  deleteOwn,
  getOwn,
  hasOwn,
  isJsonObject,
  type JsonObject,
  setOwn,
} from "./json-value.ts";
import { mergeSlice } from "./merge-slice.ts";
import { badRequest } from "./patch-error.ts";
import type { PatchMeta } from "./patch-meta.ts";
import {
  applyRetainKeysDirective,
  at,
  childMeta,
  deleteDirective,
  deleteFromPrimitiveList,
  deleteFromPrimitiveListDirectivePrefix,
  directiveMarker,
  elementMeta,
  errBadPatchType,
  extractKey,
  extractRetainKeysPatchStrategy,
  mergeDirective,
  replaceDirective,
  retainKeysDirective,
  setElementOrderDirectivePrefix,
} from "./smp-directives.ts";

/**
 * Applies `patch` to `original` as the API server does. `meta` describes the object's type
 * (undefined: nothing is known, so maps merge and lists are replaced). Neither input is changed
 * and the result shares no objects with them. Throws a `PatchError` for a malformed patch.
 */
export function strategicMergePatch(
  original: unknown,
  patch: unknown,
  meta: PatchMeta | undefined,
): JsonObject {
  if (!isJsonObject(patch)) throw badRequest("strategic merge patch must be a JSON object");
  if (original !== undefined && original !== null && !isJsonObject(original)) {
    throw badRequest("the object to patch must be a JSON object");
  }
  return mergeMap(isJsonObject(original) ? deepCopy(original) : {}, patch, meta, "");
}

/** Marks a value that must not be stored (a new map or list item deleted by `$patch: delete`). */
const omit = Symbol("omit");

/** Merges `patch` into `original`, which this module owns and may change. */
function mergeMap(
  original: JsonObject,
  patch: JsonObject,
  meta: PatchMeta | undefined,
  path: string,
): JsonObject {
  if (hasOwn(patch, directiveMarker)) {
    const directive = patch[directiveMarker];
    if (directive === deleteDirective) return {};
    if (directive === replaceDirective) {
      const rest = { ...patch };
      delete rest[directiveMarker];
      return mergeMap({}, rest, meta, path);
    }
    if (directive !== mergeDirective) throw errBadPatchType(directive, patch, path);
  }
  applyRetainKeysDirective(original, patch, path);
  const ordered = applySetElementOrder(original, patch, meta, path);
  for (const [key, value] of Object.entries(patch)) {
    if (key === directiveMarker || key === retainKeysDirective || ordered.has(key)) continue;
    if (key.startsWith(setElementOrderDirectivePrefix)) continue;
    if (key.startsWith(deleteFromPrimitiveListDirectivePrefix)) {
      deleteFromPrimitiveList(original, key, value, path);
      continue;
    }
    mergeField(original, key, value, childMeta(meta, key), `${path}.${key}`);
  }
  return original;
}

type ValueKind = "object" | "array" | "primitive";
const kindOf = (v: unknown): ValueKind =>
  Array.isArray(v) ? "array" : isJsonObject(v) ? "object" : "primitive";

/** Merges one member of a map: null deletes, absent or differently typed values are replaced. */
function mergeField(
  original: JsonObject,
  key: string,
  value: unknown,
  meta: PatchMeta | undefined,
  path: string,
): void {
  if (value === null) {
    deleteOwn(original, key);
    return;
  }
  const current = getOwn(original, key);
  if (!hasOwn(original, key) || kindOf(current) !== kindOf(value)) {
    store(original, key, newValue(value, meta, path));
  } else if (isJsonObject(current) && isJsonObject(value)) {
    const { strategy } = extractRetainKeysPatchStrategy(meta);
    store(
      original,
      key,
      strategy === replaceDirective
        ? newValue(value, meta, path)
        : mergeMap(current, value, meta, path),
    );
  } else if (Array.isArray(current) && Array.isArray(value)) {
    setOwn(original, key, mergeList(current, value, meta, path));
  } else {
    setOwn(original, key, value);
  }
}

function store(object: JsonObject, key: string, value: unknown): void {
  if (value === omit) deleteOwn(object, key);
  else setOwn(object, key, value);
}

/**
 * A patch value with nothing under it on the server, with its directives carried out: nulls
 * dropped, `$patch: delete` maps omitted, directive list items removed.
 */
function newValue(value: unknown, meta: PatchMeta | undefined, path: string): unknown {
  if (isJsonObject(value)) {
    return value[directiveMarker] === deleteDirective && hasOwn(value, directiveMarker)
      ? omit
      : mergeMap({}, value, meta, path);
  }
  if (Array.isArray(value)) return cleanList(value, elementMeta(meta), path);
  return value;
}

/** A list taken from the patch as a whole: `$patch` items dropped, items cleaned. */
function cleanList(list: readonly unknown[], meta: PatchMeta | undefined, path: string): unknown[] {
  const cleaned: unknown[] = [];
  for (const item of list) {
    if (isJsonObject(item) && hasOwn(item, directiveMarker)) {
      const directive = item[directiveMarker];
      if (directive === deleteDirective || directive === replaceDirective) continue;
      if (directive !== mergeDirective) throw errBadPatchType(directive, item, path);
      if (Object.keys(item).length === 1) continue;
    }
    const fresh = newValue(item, meta, path);
    if (fresh !== omit) cleaned.push(fresh);
  }
  return cleaned;
}

/** Merges two lists by the field's strategy: "merge" merges, anything else replaces. */
function mergeList(
  original: unknown[],
  patch: readonly unknown[],
  meta: PatchMeta | undefined,
  path: string,
): unknown[] {
  const { strategy } = extractRetainKeysPatchStrategy(meta);
  if (strategy !== mergeDirective) return cleanList(patch, elementMeta(meta), path);
  return mergeSlice(original, patch, {
    meta: elementMeta(meta),
    mergeKey: meta?.patchMergeKey ?? "",
    path,
    mergeItem: mergeMap,
    newItem: newValue,
  });
}

/**
 * `$setElementOrder/<field>: [...]`: merges the list `<field>` (if the patch has it) and puts the
 * result in that order, server-only items interleaved. Returns the fields it has merged.
 */
function applySetElementOrder(
  original: JsonObject,
  patch: JsonObject,
  meta: PatchMeta | undefined,
  path: string,
): Set<string> {
  const done = new Set<string>();
  for (const [key, order] of Object.entries(patch)) {
    if (!key.startsWith(setElementOrderDirectivePrefix)) continue;
    const field = extractKey(key, setElementOrderDirectivePrefix, path);
    if (!Array.isArray(order)) {
      throw badRequest(
        `invalid patch format of setElementOrder list: ${key} must be a list${at(path)}`,
      );
    }
    const patchList = getOwn(patch, field);
    if (patchList !== undefined && patchList !== null && !Array.isArray(patchList)) {
      throw badRequest(`${key} is given but ${field} is not a list${at(path)}`);
    }
    const current = getOwn(original, field);
    // A null patch list deletes the field, and a field that is not a list is replaced: either
    // way the main merge does it and there is nothing to order.
    if (patchList === null || (current !== undefined && !Array.isArray(current))) continue;
    const ordered = mergeInOrder({
      current,
      patchList,
      order,
      meta: childMeta(meta, field),
      path: `${path}.${field}`,
    });
    if (ordered !== undefined) setOwn(original, field, ordered);
    done.add(field);
  }
  return done;
}

/** The server list `current` merged with `patchList` (either may be absent), put in `order`. */
function mergeInOrder(options: {
  readonly current: unknown[] | undefined;
  readonly patchList: unknown[] | undefined;
  readonly order: readonly unknown[];
  readonly meta: PatchMeta | undefined;
  readonly path: string;
}): unknown[] | undefined {
  const { current, patchList, order, meta, path } = options;
  const mergeKey = meta?.patchMergeKey ?? "";
  validatePatchWithSetOrderList(patchList ?? [], order, mergeKey, path);
  let merged: unknown[];
  if (patchList === undefined) {
    if (current === undefined) return undefined;
    merged = current;
  } else {
    merged =
      current === undefined
        ? cleanList(patchList, elementMeta(meta), path)
        : mergeList(current, patchList, meta, path);
  }
  const [patchItems, serverOnly] = partitionByPresence(merged, order, mergeKey, path);
  return normalizeElementOrder({
    patchItems,
    serverOnly,
    patchOrder: order,
    serverOrder: current ?? [],
    mergeKey,
    path,
  });
}
