/**
 * Synchronous reads of current cluster state from the watch caches, for the parts of the API
 * server that decide on every request: authorization (RBAC roles and bindings, the node graph),
 * admission (service accounts, limit ranges, quotas, storage classes) and token checks.
 */
import type {
  ClusterRole,
  ClusterRoleBinding,
  PersistentVolume,
  PersistentVolumeClaim,
  Pod,
  Role,
  RoleBinding,
} from "../api/generated/types.ts";
import type { KubeObject } from "../api/object.ts";
import type { AdmissionReader } from "./admission/plugins/reader.ts";
import { type NodeGraphSource, type PodSummary, summarizePod } from "./authz/node/graph-source.ts";
import type { RbacSource } from "./authz/rbac/source.ts";
import { type CachedObject, parseCached, WatchCache } from "./cache/watch-cache.ts";
import type { Catalog } from "./catalog.ts";
import type { GenericRegistry } from "./registry/generic-registry.ts";

const rbac = "rbac.authorization.k8s.io";
const rbacResources = ["roles", "clusterroles", "rolebindings", "clusterrolebindings"];

/** The Node authorizer's summary of each cached pod version (see `podsOnNode`). */
const podSummaries = new WeakMap<CachedObject, PodSummary>();

export class ClusterReader implements AdmissionReader, RbacSource, NodeGraphSource {
  readonly #catalog: () => Catalog;
  readonly #caches: ReadonlyMap<GenericRegistry, WatchCache>;
  /** The registry of each resource, looked up once per catalog generation (CRDs change it). */
  #registries: {
    catalog?: Catalog;
    generation?: number;
    byResource: Map<string, GenericRegistry | undefined>;
  } = { byResource: new Map() };

  constructor(catalog: () => Catalog, caches: ReadonlyMap<GenericRegistry, WatchCache>) {
    this.#catalog = catalog;
    this.#caches = caches;
  }

  #cache(
    group: string,
    resource: string,
  ): { registry: GenericRegistry; cache: WatchCache } | undefined {
    const catalog = this.#catalog();
    if (
      this.#registries.catalog !== catalog ||
      this.#registries.generation !== catalog.generation
    ) {
      this.#registries = { catalog, generation: catalog.generation, byResource: new Map() };
    }
    const { byResource } = this.#registries;
    const name = `${resource}.${group}`;
    let registry = byResource.get(name);
    if (registry === undefined && !byResource.has(name)) {
      registry = catalog.registries.find(
        (r) =>
          r.definition.group === group && r.definition.plural === resource && !r.definition.storage,
      );
      byResource.set(name, registry);
    }
    const cache = registry && this.#caches.get(registry);
    return registry && cache?.ready ? { registry, cache } : undefined;
  }

  get(group: string, resource: string, namespace: string, name: string): KubeObject | undefined {
    const c = this.#cache(group, resource);
    const cached = c?.cache.getByKey(c.registry.key(namespace, name));
    return cached ? WatchCache.objectOf(cached) : undefined;
  }

  list(group: string, resource: string, namespace: string): KubeObject[] {
    const c = this.#cache(group, resource);
    return c ? c.cache.snapshot(namespace).map((o) => WatchCache.objectOf(o)) : [];
  }

  getRole(namespace: string, name: string): Role | undefined {
    return this.get(rbac, "roles", namespace, name) as Role | undefined;
  }

  getClusterRole(name: string): ClusterRole | undefined {
    return this.get(rbac, "clusterroles", "", name) as ClusterRole | undefined;
  }

  listRoleBindings(namespace: string): readonly RoleBinding[] {
    return this.list(rbac, "rolebindings", namespace) as unknown as RoleBinding[];
  }

  listClusterRoleBindings(): readonly ClusterRoleBinding[] {
    return this.list(rbac, "clusterrolebindings", "") as unknown as ClusterRoleBinding[];
  }

  /** The sum of the RBAC caches' change counts: each only grows, so the sum moves with any. */
  generation(): number {
    let sum = 0;
    for (const resource of rbacResources) sum += this.#cache(rbac, resource)?.cache.changes ?? 0;
    return sum;
  }

  podsOnNode(nodeName: string): readonly PodSummary[] {
    const c = this.#cache("", "pods");
    if (!c) return [];
    return c.cache.byField("spec.nodeName", nodeName).map((cached) => {
      let summary = podSummaries.get(cached);
      if (!summary) {
        // Decoded for the summary only: the cache keeps the pod as JSON, not a second copy.
        summary = summarizePod(parseCached(cached) as Pod);
        podSummaries.set(cached, summary);
      }
      return summary;
    });
  }

  getPersistentVolumeClaim(namespace: string, name: string): PersistentVolumeClaim | undefined {
    return this.get("", "persistentvolumeclaims", namespace, name) as
      | PersistentVolumeClaim
      | undefined;
  }

  getPersistentVolume(name: string): PersistentVolume | undefined {
    return this.get("", "persistentvolumes", "", name) as PersistentVolume | undefined;
  }
}
