/**
 * Deletes a terminating namespace's content, then drops the `kubernetes` finalizer so the
 * namespace goes away. Upstream this is the controller manager's namespace controller; Bosun
 * runs it inside the API server until the controller manager exists.
 */
import type { KubeObject } from "../api/object.ts";
import type { Logger } from "../machinery/log.ts";
import { isStatusError } from "../machinery/status.ts";
import { apiserverUser } from "./authn/user.ts";
import type { Catalog } from "./catalog.ts";
import type { GenericRegistry } from "./registry/generic-registry.ts";
import { listObjects } from "./registry/list.ts";
import { watchObjects } from "./registry/watch.ts";

const ctx = () => ({ user: apiserverUser, dryRun: false, warnings: [] as string[] });

/** Deletes what is left in `ns`; true when nothing is left. */
async function emptyNamespace(catalog: Catalog, ns: string): Promise<boolean> {
  let empty = true;
  for (const registry of catalog.registries) {
    const def = registry.definition;
    if (!def.namespaced || def.storage) continue;
    const list = await listObjects(registry, ns, {});
    for (const item of list.items) {
      empty = false;
      if (item.metadata?.deletionTimestamp) continue;
      await registry
        .delete(ns, item.metadata?.name ?? "", { propagationPolicy: "Background" }, ctx())
        .catch((err: unknown) => {
          if (!isStatusError(err, "NotFound")) throw err;
        });
    }
  }
  return empty;
}

async function finalize(namespaces: GenericRegistry, name: string): Promise<void> {
  await namespaces.update(
    "",
    name,
    (current) => {
      if (!current) return { metadata: { name } } as KubeObject;
      const spec = (current.spec ?? {}) as { finalizers?: string[] };
      current.spec = {
        ...spec,
        finalizers: (spec.finalizers ?? []).filter((f) => f !== "kubernetes"),
      };
      delete current.metadata!.resourceVersion;
      return current;
    },
    ctx(),
    { subresource: "raw" },
  );
}

export function startNamespaceFinalizer(catalog: Catalog, log: Logger, signal: AbortSignal): void {
  const namespaces = catalog.lookup("", "v1", "namespaces");
  if (!namespaces) return;
  const pending = new Set<string>();
  const work = async (name: string) => {
    try {
      if (await emptyNamespace(catalog, name)) {
        await finalize(namespaces, name);
        log.info("namespace finalized", { name });
        pending.delete(name);
        return;
      }
    } catch (err) {
      if (isStatusError(err, "NotFound")) {
        pending.delete(name);
        return;
      }
      log.warn("namespace cleanup failed; retrying", { name, err });
    }
    if (!signal.aborted) setTimeout(() => void work(name), 1000).unref();
  };
  const loop = async () => {
    while (!signal.aborted) {
      try {
        for await (const ev of watchObjects(namespaces, "", { signal })) {
          const ns = ev.object as KubeObject;
          const spec = (ns.spec ?? {}) as { finalizers?: string[] };
          const name = ns.metadata?.name ?? "";
          if (ev.type === "DELETED" || !ns.metadata?.deletionTimestamp) continue;
          if (!(spec.finalizers ?? []).includes("kubernetes") || pending.has(name)) continue;
          pending.add(name);
          void work(name);
        }
      } catch (err) {
        if (!signal.aborted) log.warn("namespace watch ended; restarting", { err });
      }
      if (!signal.aborted) await new Promise((r) => setTimeout(r, 1000));
    }
  };
  void loop();
}
