/**
 * JSON merge patch (RFC 7386; `application/merge-patch+json`): objects merge recursively, a `null`
 * member deletes, anything else (arrays included) replaces. Used by `kubectl label/annotate/scale`,
 * `kubectl patch --type merge`, client-side apply of custom resources and client-node.
 */
import { deepCopy, hasOwn, isJsonObject, type JsonObject, setOwn } from "./json-value.ts";

/**
 * Applies `patch` to `original` and returns the result. Neither input is changed and the result
 * shares no objects with them, unless `share` says the caller owns `original` and will not use
 * it again (the API server's private copy): then its untouched parts are taken as they are, not
 * copied. As the RFC says, a patch that is not an object replaces the whole document (the API
 * server rejects such bodies before calling this).
 */
export function mergePatch(
  original: unknown,
  patch: unknown,
  options: { share?: boolean } = {},
): unknown {
  const keep = options.share ? (v: unknown) => v : deepCopy;
  const merge = (o: unknown, p: unknown): unknown => {
    if (!isJsonObject(p)) return deepCopy(p);
    const base: JsonObject = isJsonObject(o) ? o : {};
    const result: JsonObject = {};
    for (const [key, value] of Object.entries(base)) {
      if (!hasOwn(p, key)) setOwn(result, key, keep(value));
      else if (p[key] !== null) setOwn(result, key, merge(value, p[key]));
    }
    for (const [key, value] of Object.entries(p)) {
      if (value !== null && !hasOwn(base, key)) setOwn(result, key, merge(undefined, value));
    }
    return result;
  };
  return merge(original, patch);
}
