/**
 * Lists with Kubernetes' semantics over the Store: resourceVersion / resourceVersionMatch,
 * limit and continue (in Kubernetes' own token format), and selector filtering that keeps reading
 * until a page is full, as upstream does.
 */
import type { KubeList, KubeObject } from "../../api/object.ts";
import { apiVersionOf } from "../../api/object.ts";
import { newBadRequest, newTimeoutError } from "../../machinery/status.ts";
import { encodeContinue, keyAfter } from "../../storage/keys.ts";
import type { GenericRegistry } from "./generic-registry.ts";
import { toStatusError } from "./storage-errors.ts";

export interface ListOptions {
  readonly filter?: (obj: KubeObject) => boolean;
  readonly limit?: number;
  readonly continue?: string;
  readonly resourceVersion?: string;
  readonly resourceVersionMatch?: string;
}

export function parseResourceVersion(rv: string | undefined): number {
  if (rv === undefined || rv === "") return 0;
  if (!/^\d+$/.test(rv)) throw newBadRequest(`invalid resource version: ${JSON.stringify(rv)}`);
  return Number(rv);
}

/** Waits briefly for the store to reach `revision`; upstream answers 504 after ~3 s. */
async function waitForRevision(registry: GenericRegistry, revision: number): Promise<void> {
  const deadline = Date.now() + 3000;
  for (;;) {
    const current = await registry.store.currentRevision();
    if (current >= revision) return;
    if (Date.now() > deadline) {
      throw newTimeoutError(
        `Too large resource version: ${revision}, current resource version: ${current}`,
        1,
      );
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The revision a list without `continue` reads at (0: the newest). */
async function readRevision(registry: GenericRegistry, options: ListOptions): Promise<number> {
  const rv = parseResourceVersion(options.resourceVersion);
  const match = options.resourceVersionMatch ?? "";
  if (match && !["Exact", "NotOlderThan"].includes(match)) {
    throw newBadRequest(`resourceVersionMatch: Unsupported value: "${match}"`);
  }
  if (match && options.resourceVersion === undefined) {
    throw newBadRequest(`resourceVersionMatch is forbidden unless resourceVersion is provided`);
  }
  if (match === "Exact") {
    if (rv === 0)
      throw newBadRequest('resourceVersionMatch "exact" is forbidden for resourceVersion "0"');
    return rv;
  }
  if (rv > 0) await waitForRevision(registry, rv);
  return 0;
}

export async function listObjects(
  registry: GenericRegistry,
  namespace: string,
  options: ListOptions,
): Promise<KubeList> {
  const prefix = registry.prefix(namespace);
  const limit = options.limit && options.limit > 0 ? options.limit : 0;
  if (options.continue && options.resourceVersion && options.resourceVersion !== "0") {
    throw newBadRequest("specifying resource version is not allowed when using continue");
  }
  const items: KubeObject[] = [];
  let token = options.continue;
  let revision = token ? 0 : await readRevision(registry, options);
  let lastKey = "";
  let more = false;
  const filter = options.filter ?? (() => true);
  try {
    do {
      const page = await registry.store.list(prefix, {
        ...(token ? { continue: token } : { revision }),
        ...(limit ? { limit: Math.max(limit - items.length, Math.min(limit * 2, 500)) } : {}),
      });
      revision = page.revision;
      for (const kv of page.items) {
        if (limit && items.length === limit) {
          more = true;
          break;
        }
        const obj = registry.fromStored(kv);
        lastKey = kv.key;
        if (filter(obj)) items.push(obj);
      }
      token = page.continue;
      if (token && !more && limit && items.length === limit) more = true;
    } while (token && !more);
  } catch (err) {
    throw toStatusError(err, registry.groupResource);
  }
  const def = registry.definition;
  const list: KubeList = {
    apiVersion: apiVersionOf(def.group, def.version),
    kind: `${def.kind}List`,
    metadata: { resourceVersion: String(revision) },
    items,
  };
  if (more) list.metadata.continue = encodeContinue(revision, keyAfter(lastKey), prefix);
  return list;
}
