/**
 * The vocabulary of strategic merge patch: directive names, field strategies, the errors for
 * malformed patches, and the two directives that act on a map alone (`$retainKeys`,
 * `$deleteFromPrimitiveList/<field>`). Names mirror upstream's `strategicpatch` package.
 */
import { deepEqual, deleteOwn, describe, getOwn, type JsonObject, setOwn } from "./json-value.ts";
import { badRequest, invalid, type PatchError } from "./patch-error.ts";
import type { PatchMeta } from "./patch-meta.ts";

export const directiveMarker = "$patch";
export const deleteDirective = "delete";
export const replaceDirective = "replace";
export const mergeDirective = "merge";
export const retainKeysStrategy = "retainKeys";
export const retainKeysDirective = "$retainKeys";
export const deleteFromPrimitiveListDirectivePrefix = "$deleteFromPrimitiveList";
export const setElementOrderDirectivePrefix = "$setElementOrder";

/** " (at .spec.containers)" for error messages; nothing at the root. */
export const at = (path: string): string => (path === "" ? "" : ` (at ${path})`);

export const errNoMergeKey = (item: unknown, mergeKey: string, path: string): PatchError =>
  badRequest(`map: ${describe(item)} does not contain declared merge key: ${mergeKey}${at(path)}`);

export const errBadPatchType = (directive: unknown, map: JsonObject, path: string): PatchError =>
  badRequest(
    `Unexpected kind of patch: $patch value ${describe(directive)} in map: ${describe(map)}; ` +
      `expected "replace", "delete" or "merge"${at(path)}`,
  );

export const errNoListOfLists = (path: string): PatchError =>
  invalid(`lists of lists are not supported${at(path)}`);

/**
 * The field's strategy split into the list/map strategy ("merge", "replace" or "") and whether
 * "retainKeys" is among them. `patchStrategy` comes from the schema; a bad one is a server bug.
 */
export function extractRetainKeysPatchStrategy(meta: PatchMeta | undefined): {
  readonly retainKeys: boolean;
  readonly strategy: string;
} {
  const parts = (meta?.patchStrategy ?? "").split(",").filter((s) => s !== "");
  const retainKeys = parts.includes(retainKeysStrategy);
  const others = parts.filter((s) => s !== retainKeysStrategy);
  if (others.length > 1 || parts.length > 2) {
    throw new Error(`unexpected patch strategy: ${meta?.patchStrategy}`);
  }
  return { retainKeys, strategy: others[0] ?? "" };
}

/** The field name after `<prefix>/`, or a BadRequest for a directive without one. */
export function extractKey(key: string, prefix: string, path: string): string {
  const slash = key.indexOf("/");
  if (slash < 0 || key.slice(0, slash) !== prefix || slash === key.length - 1) {
    const what =
      prefix === setElementOrderDirectivePrefix ? "setElementOrder list" : "primitive list";
    throw badRequest(`invalid patch format of ${what}: ${JSON.stringify(key)}${at(path)}`);
  }
  return key.slice(slash + 1);
}

/** The meta of the member `key` of an object described by `meta`. */
export function childMeta(meta: PatchMeta | undefined, key: string): PatchMeta | undefined {
  if (meta?.kind === "struct") return meta.field(key);
  if (meta?.kind === "map") return meta.elements();
  return undefined;
}

/** The meta of the elements of a list described by `meta`. */
export function elementMeta(meta: PatchMeta | undefined): PatchMeta | undefined {
  return meta?.kind === "list" ? meta.elements() : undefined;
}

/**
 * `$retainKeys: [...]`: clears every key of `original` not listed. Every key the patch sets
 * (other than nulls and parallel-list directives) must be listed.
 */
export function applyRetainKeysDirective(
  original: JsonObject,
  patch: JsonObject,
  path: string,
): void {
  const list = getOwn(patch, retainKeysDirective);
  if (list === undefined) return;
  if (!Array.isArray(list)) {
    throw badRequest(
      `invalid patch format of retainKeys: ${describe(list)} is not a list${at(path)}`,
    );
  }
  const retained = new Set(list.filter((k): k is string => typeof k === "string"));
  for (const [key, value] of Object.entries(patch)) {
    if (value === null || key === retainKeysDirective || key === directiveMarker) continue;
    if (key.startsWith(deleteFromPrimitiveListDirectivePrefix)) continue;
    if (key.startsWith(setElementOrderDirectivePrefix)) continue;
    if (!retained.has(key)) {
      throw badRequest(
        `invalid patch format of retainKeys: ${JSON.stringify(key)} is set but not in $retainKeys ${describe(list)}${at(path)}`,
      );
    }
  }
  for (const key of Object.keys(original)) {
    if (!retained.has(key)) deleteOwn(original, key);
  }
}

/** `$deleteFromPrimitiveList/<field>: [...]`: removes those values from the list `<field>`. */
export function deleteFromPrimitiveList(
  original: JsonObject,
  key: string,
  values: unknown,
  path: string,
): void {
  const field = extractKey(key, deleteFromPrimitiveListDirectivePrefix, path);
  if (!Array.isArray(values)) {
    throw badRequest(`invalid patch format of primitive list: ${key} must be a list${at(path)}`);
  }
  const current = getOwn(original, field);
  if (!Array.isArray(current)) return;
  setOwn(
    original,
    field,
    current.filter((item) => !values.some((v) => deepEqual(item, v))),
  );
}
