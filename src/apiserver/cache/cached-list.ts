/**
 * Lists served from the watch cache: consistent reads (no resourceVersion) wait until the cache
 * has caught up with the Store's current revision, "0" takes the cache as it is, and
 * NotOlderThan waits for the given revision. The list body is assembled from each object's
 * cached JSON. A first page carries a continue token at the cache's revision; later pages are
 * read from the Store at exactly that revision.
 */
import type { ResourceDefinition } from "../../api/resource.ts";
import { encodeContinue, keyAfter } from "../../storage/keys.ts";
import type { Matcher } from "../handlers/selectors.ts";
import { parseResourceVersion } from "../registry/list.ts";
import type { CachedObject, WatchCache } from "./watch-cache.ts";

export interface CachedListRequest {
  readonly namespace: string;
  readonly matches: Matcher | undefined;
  /** The fields the field selector pins (`compileSelection`): an indexed one narrows the search. */
  readonly exactFields?: Readonly<Record<string, string>> | undefined;
  readonly limit: number;
  readonly resourceVersion: string | undefined;
  readonly resourceVersionMatch: string | undefined;
}

export interface CachedList {
  readonly revision: number;
  readonly items: CachedObject[];
  readonly continue?: string;
}

/** Whether the cache may answer this list at all (continue tokens and Exact go to the Store). */
export function cacheCanServe(req: {
  continue?: string | null;
  resourceVersionMatch?: string | null;
}) {
  return !req.continue && (req.resourceVersionMatch ?? "") !== "Exact";
}

/** The list, or undefined when the cache did not catch up in time (the caller asks the Store). */
export async function listFromCache(
  cache: WatchCache,
  req: CachedListRequest,
): Promise<CachedList | undefined> {
  const rv = parseResourceVersion(req.resourceVersion);
  if (req.resourceVersion === undefined || req.resourceVersion === "") {
    const current = await cache.registry.store.currentRevision();
    if (!(await cache.waitFor(current, 3000))) return undefined;
  } else if (rv > 0 && !(await cache.waitFor(rv, 3000))) {
    return undefined;
  }
  const revision = cache.revision;
  const items: CachedObject[] = [];
  let more = false;
  for (const obj of candidates(cache, req)) {
    if (req.matches && !req.matches(obj)) continue;
    if (req.limit > 0 && items.length === req.limit) {
      more = true;
      break;
    }
    items.push(obj);
  }
  if (!more) return { revision, items };
  const prefix = cache.registry.prefix(req.namespace);
  const last = items[items.length - 1]!;
  return { revision, items, continue: encodeContinue(revision, keyAfter(last.key), prefix) };
}

/**
 * The objects a list looks at, in key order: those an index gives when the field selector pins an
 * indexed field (a kubelet's `spec.nodeName=` among 30,000 pods), else the namespace's.
 */
function candidates(cache: WatchCache, req: CachedListRequest): CachedObject[] {
  const index = cache.pinnedIndex(req.exactFields);
  if (!index) return cache.snapshot(req.namespace);
  const found = cache.byField(...index);
  const inNamespace = req.namespace ? found.filter((o) => o.namespace === req.namespace) : found;
  return inNamespace.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

const comma = Buffer.from(",");
const close = Buffer.from("]}");

/** The list as the JSON body the API returns: the cached objects' bytes, copied once. */
export function cachedListBody(def: ResourceDefinition, list: CachedList): Buffer {
  const apiVersion = def.group ? `${def.group}/${def.version}` : def.version;
  const meta = JSON.stringify({
    resourceVersion: String(list.revision),
    ...(list.continue ? { continue: list.continue } : {}),
  });
  const parts: Uint8Array[] = [
    Buffer.from(
      `{"kind":"${def.kind}List","apiVersion":"${apiVersion}","metadata":${meta},"items":[`,
    ),
  ];
  list.items.forEach((item, i) => {
    if (i > 0) parts.push(comma);
    parts.push(item.bytes);
  });
  parts.push(close);
  return Buffer.concat(parts);
}
