/**
 * For controllers whose objects (budgets, quotas) each concern their namespace's other objects
 * (pods, services...): the keys of their own objects by namespace, so that another object's
 * event finds the few it concerns with one lookup; the other objects of a namespace through an
 * index on their shared informer, added on first use so a cluster without such objects pays
 * nothing; and the status write that happens only when the status changed.
 */
import { isDeepStrictEqual } from "node:util";
import type { KubeObject } from "../../api/object.ts";
import { type Informer, keyOf } from "../../client/informer.ts";
import { type GroupVersionResource, resourcePath } from "../../client/resources.ts";
import type { RestClient } from "../../client/rest-client.ts";
import { isStatusError } from "../../machinery/status.ts";

const namespaceIndex = "by-namespace";
const namespaceOf = (obj: KubeObject) => [obj.metadata?.namespace ?? ""];

/** The informer's objects in `namespace` (an index on the informer from the first call). */
export function inNamespace<T extends KubeObject>(informer: Informer<T>, namespace: string): T[] {
  informer.addIndexer(namespaceIndex, namespaceOf);
  return informer.byIndex(namespaceIndex, namespace);
}

/** Object keys by namespace. */
export class KeysByNamespace {
  readonly #keys = new Map<string, Set<string>>();

  add(obj: KubeObject): void {
    const ns = obj.metadata?.namespace ?? "";
    const keys = this.#keys.get(ns) ?? new Set<string>();
    this.#keys.set(ns, keys);
    keys.add(keyOf(obj));
  }

  delete(obj: KubeObject): void {
    this.#keys.get(obj.metadata?.namespace ?? "")?.delete(keyOf(obj));
  }

  of(namespace: string): ReadonlySet<string> {
    return this.#keys.get(namespace) ?? new Set();
  }
}

/**
 * PUTs `status` to the object's status subresource unless it already has it. A gone object is
 * left alone; a Conflict is thrown, so the worker retries on the newer object.
 */
export async function writeStatusIfChanged<T extends KubeObject & { status?: unknown }>(
  client: RestClient,
  gvr: GroupVersionResource,
  obj: T,
  status: NonNullable<T["status"]>,
): Promise<void> {
  if (isDeepStrictEqual(obj.status ?? {}, status)) return;
  const path = resourcePath(gvr, obj.metadata?.namespace ?? "", obj.metadata?.name ?? "", "status");
  try {
    await client.update(path, { ...obj, status });
  } catch (err) {
    if (!isStatusError(err, "NotFound")) throw err;
  }
}
