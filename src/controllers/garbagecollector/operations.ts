/**
 * The garbage collector's reads and writes (upstream `operations.go` and `patch.go`), for any
 * resource found through discovery: get an object, delete it with a propagation policy and a
 * uid precondition, rewrite its ownerReferences, remove a finalizer. Rewrites are JSON merge
 * patches carrying the resourceVersion read, retried on Conflict, so they work for custom
 * resources too and never clobber a concurrent change.
 */
import type { OwnerReference } from "../../api/generated/types.ts";
import type { KubeObject } from "../../api/object.ts";
import { resourcePath } from "../../client/resources.ts";
import type { RestClient } from "../../client/rest-client.ts";
import { isStatusError } from "../../machinery/status.ts";
import { type ApiResource, type DiscoveredResources, resourceForKind } from "./discovery.ts";
import type { Identity } from "./graph.ts";

export type PropagationPolicy = "Background" | "Foreground" | "Orphan";

const maxConflictRetries = 5;

export class GcOperations {
  readonly #client: RestClient;
  discovered: DiscoveredResources;

  constructor(client: RestClient, discovered: DiscoveredResources) {
    this.#client = client;
    this.discovered = discovered;
  }

  /** The REST mapping of a kind; throws when discovery does not know it (retried later). */
  resourceFor(apiVersion: string, kind: string): ApiResource {
    const r = resourceForKind(this.discovered, apiVersion, kind);
    if (!r) throw new Error(`unable to get REST mapping for ${apiVersion}, Kind=${kind}`);
    return r;
  }

  #path(id: Identity): string {
    const r = this.resourceFor(id.apiVersion, id.kind);
    return resourcePath(r.gvr, r.gvr.namespaced ? id.namespace : "", id.name);
  }

  /** The object now, or undefined when it is gone. */
  async getObject(id: Identity): Promise<KubeObject | undefined> {
    try {
      return await this.#client.get<KubeObject>(this.#path(id));
    } catch (err) {
      if (isStatusError(err, "NotFound")) return undefined;
      throw err;
    }
  }

  /** Deletes exactly this object (by uid); gone already counts as done. */
  async deleteObject(id: Identity, policy: PropagationPolicy): Promise<void> {
    try {
      await this.#client.delete(this.#path(id), {
        kind: "DeleteOptions",
        apiVersion: "v1",
        propagationPolicy: policy,
        preconditions: { uid: id.uid },
      });
    } catch (err) {
      if (!isStatusError(err, "NotFound")) throw err;
    }
  }

  /** Reads, changes and writes the object's metadata until no Conflict; false if it is gone. */
  async #updateMetadata(
    id: Identity,
    change: (obj: KubeObject) => Record<string, unknown> | undefined,
  ): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      const obj = await this.getObject(id);
      if (!obj || obj.metadata?.uid !== id.uid) return;
      const fields = change(obj);
      if (!fields) return;
      const patch = { metadata: { resourceVersion: obj.metadata?.resourceVersion, ...fields } };
      try {
        await this.#client.patch(this.#path(id), "merge", patch);
        return;
      } catch (err) {
        if (isStatusError(err, "NotFound")) return;
        if (!isStatusError(err, "Conflict") || attempt >= maxConflictRetries) throw err;
      }
    }
  }

  /** Replaces the ownerReferences with `change(current)`; nothing when unchanged. */
  patchOwnerReferences(
    id: Identity,
    change: (refs: readonly OwnerReference[]) => OwnerReference[],
  ): Promise<void> {
    return this.#updateMetadata(id, (obj) => {
      const current = obj.metadata?.ownerReferences ?? [];
      const next = change(current);
      if (JSON.stringify(next) === JSON.stringify(current)) return undefined;
      return { ownerReferences: next.length > 0 ? next : null };
    });
  }

  removeFinalizer(id: Identity, finalizer: string): Promise<void> {
    return this.#updateMetadata(id, (obj) => {
      const current = obj.metadata?.finalizers ?? [];
      if (!current.includes(finalizer)) return undefined;
      const rest = current.filter((f) => f !== finalizer);
      return { finalizers: rest.length > 0 ? rest : null };
    });
  }
}
