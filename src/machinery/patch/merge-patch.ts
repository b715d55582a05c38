/**
 * JSON merge patch (RFC 7386; `application/merge-patch+json`): objects merge recursively, a `null`
 * member deletes, anything else (arrays included) replaces. Used by `kubectl label/annotate/scale`,
 * `kubectl patch --type merge`, client-side apply of custom resources and client-node.
 */
import { deepCopy, hasOwn, isJsonObject, type JsonObject, setOwn } from "./json-value.ts";

/**
 * Applies `patch` to `original` and returns the result. Neither input is changed and the result
 * shares no objects with them. As the RFC says, a patch that is not an object replaces the whole
 * document (the API server rejects such bodies before calling this).
 */
export function mergePatch(original: unknown, patch: unknown): unknown {
  if (!isJsonObject(patch)) return deepCopy(patch);
  const base: JsonObject = isJsonObject(original) ? original : {};
  const result: JsonObject = {};
  for (const [key, value] of Object.entries(base)) {
    if (!hasOwn(patch, key)) setOwn(result, key, deepCopy(value));
    else if (patch[key] !== null) setOwn(result, key, mergePatch(value, patch[key]));
  }
  for (const [key, value] of Object.entries(patch)) {
    if (value !== null && !hasOwn(base, key)) setOwn(result, key, mergePatch(undefined, value));
  }
  return result;
}
