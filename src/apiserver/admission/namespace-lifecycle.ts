/**
 * NamespaceLifecycle (upstream admission plugin): new content needs an existing namespace that
 * is not being deleted, and the system namespaces cannot be deleted.
 */
import type { KubeObject } from "../../api/object.ts";
import { newForbidden, newNotFound, StatusError } from "../../machinery/status.ts";
import type { Catalog } from "../catalog.ts";
import type { AdmissionPlugin } from "./admission.ts";

const immortal = new Set(["default", "kube-system", "kube-public"]);

/** A namespace from a cache: its object, or undefined when the cache does not have it. */
export type CachedNamespaceLookup = (name: string) => KubeObject | undefined;

/**
 * `cached` answers from the namespaces' watch cache; a miss (a namespace created a moment ago)
 * falls back to a read from the Store, as upstream's plugin falls back to a live GET.
 */
export function namespaceLifecycle(
  catalog: () => Catalog,
  cached: CachedNamespaceLookup = () => undefined,
): AdmissionPlugin {
  return {
    name: "NamespaceLifecycle",
    async validate(attrs) {
      const def = attrs.resource;
      if (attrs.operation === "DELETE" && def.group === "" && def.plural === "namespaces") {
        if (immortal.has(attrs.name)) {
          throw newForbidden(
            { group: "", resource: "namespaces" },
            attrs.name,
            "this namespace may not be deleted",
          );
        }
        return;
      }
      if (attrs.operation !== "CREATE" || !def.namespaced) return;
      const namespaces = catalog().lookup("", "v1", "namespaces");
      if (!namespaces) return;
      let ns = cached(attrs.namespace);
      try {
        ns ??= await namespaces.get("", attrs.namespace);
      } catch (err) {
        if (err instanceof StatusError && err.reason === "NotFound") {
          throw newNotFound({ group: "", resource: "namespaces" }, attrs.namespace);
        }
        throw err;
      }
      if (ns.metadata?.deletionTimestamp && !(def.group === "" && def.plural === "events")) {
        const err = newForbidden(
          { group: def.group, resource: def.plural },
          attrs.name,
          `unable to create new content in namespace ${attrs.namespace} because it is being terminated`,
        );
        err.status.details = {
          ...err.status.details,
          causes: [
            {
              reason: "NamespaceTerminating",
              message: `namespace ${attrs.namespace} is being terminated`,
              field: "metadata.namespace",
            },
          ],
        };
        throw err;
      }
    },
  };
}
