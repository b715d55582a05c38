/**
 * The default RBAC policy, created at start and kept current (objects annotated
 * `rbac.authorization.kubernetes.io/autoupdate: "true"` get their rules and subjects back), and
 * the aggregation of ClusterRoles (admin/edit/view gather the rules of aggregate-to-* roles).
 */
import type { ClusterRole } from "../api/generated/types.ts";
import type { KubeObject } from "../api/object.ts";
import { onAbort } from "../machinery/abort.ts";
import type { Logger } from "../machinery/log.ts";
import { apiserverUser } from "./authn/user.ts";
import { aggregatedRoleNames, aggregationUpdate } from "./authz/rbac/aggregation.ts";
import {
  bootstrapClusterRoleBindings,
  bootstrapClusterRoles,
  bootstrapNamespaceRoleBindings,
  bootstrapNamespaceRoles,
} from "./authz/rbac/bootstrap-policy.ts";
import { WatchCache } from "./cache/watch-cache.ts";
import type { Catalog } from "./catalog.ts";

const group = "rbac.authorization.k8s.io";
const ctx = () => ({ user: apiserverUser, dryRun: false, warnings: [] as string[] });

async function reconcile(catalog: Catalog, resource: string, desired: KubeObject): Promise<void> {
  const registry = catalog.lookup(group, "v1", resource);
  if (!registry) return;
  const meta = desired.metadata ?? {};
  await registry.update(
    meta.namespace ?? "",
    meta.name ?? "",
    (current) => {
      if (!current) return structuredClone(desired);
      if (
        current.metadata?.annotations?.["rbac.authorization.kubernetes.io/autoupdate"] === "false"
      ) {
        return current;
      }
      const next = {
        ...current,
        ...structuredClone(desired),
        metadata: { ...current.metadata, ...desired.metadata },
      };
      if (resource === "clusterroles" && (current as ClusterRole).aggregationRule) {
        (next as unknown as ClusterRole).rules = (current as unknown as ClusterRole).rules ?? [];
      }
      delete next.metadata.resourceVersion;
      return next;
    },
    ctx(),
    { createIfMissing: true },
  );
}

export async function bootstrapRbac(catalog: Catalog, log: Logger): Promise<void> {
  const all: Array<[string, readonly KubeObject[]]> = [
    ["clusterroles", bootstrapClusterRoles() as unknown as KubeObject[]],
    ["clusterrolebindings", bootstrapClusterRoleBindings() as unknown as KubeObject[]],
    ["roles", bootstrapNamespaceRoles() as unknown as KubeObject[]],
    ["rolebindings", bootstrapNamespaceRoleBindings() as unknown as KubeObject[]],
  ];
  let count = 0;
  for (const [resource, objects] of all) {
    for (const obj of objects) {
      await reconcile(catalog, resource, obj);
      count++;
    }
  }
  log.info("default RBAC policy reconciled", { objects: count });
}

/** Keeps aggregated ClusterRoles' rules current as ClusterRoles change. */
export async function runRoleAggregation(
  catalog: Catalog,
  cache: WatchCache,
  log: Logger,
  signal: AbortSignal,
) {
  const registry = cache.registry;
  const sync = async () => {
    const roles = cache.snapshot("").map((o) => WatchCache.objectOf(o) as unknown as ClusterRole);
    for (const name of aggregatedRoleNames(roles)) {
      const role = roles.find((r) => r.metadata?.name === name);
      const rules = role && aggregationUpdate(role, roles);
      if (!rules) continue;
      await registry
        .update(
          "",
          name,
          (current) => {
            if (!current) throw new Error("gone");
            (current as unknown as ClusterRole).rules = rules;
            delete current.metadata!.resourceVersion;
            return current;
          },
          ctx(),
        )
        .catch((err) => log.warn("aggregation failed", { role: name, err }));
    }
  };
  await sync();
  const watcher = cache.watch("", cache.revision, {});
  if (!watcher) return;
  onAbort(signal, () => watcher.end());
  for await (const _ of watcher) await sync();
  void catalog;
}
