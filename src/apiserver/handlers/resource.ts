/**
 * Dispatches a resource request to the right handler by verb and subresource, after the scope
 * checks upstream's routes imply (namespaced kinds only list and watch across namespaces;
 * cluster-scoped kinds have no namespace in their path).
 */
import { newMethodNotSupported, newNotFound, StatusError } from "../../machinery/status.ts";
import type { GenericRegistry } from "../registry/generic-registry.ts";
import type { HttpContext } from "./context.ts";
import {
  createObject,
  deleteCollection,
  deleteObject,
  getObject,
  listObjectsHandler,
  updateObject,
} from "./objects.ts";
import { patchObject } from "./patch.ts";
import { serveScale } from "./scale.ts";
import { serveWatch } from "./watch.ts";

export type SubresourceHandler = (ctx: HttpContext, registry: GenericRegistry) => Promise<void>;

export const pathNotFound = (): StatusError =>
  new StatusError({
    kind: "Status",
    apiVersion: "v1",
    metadata: {},
    status: "Failure",
    message: "the server could not find the requested resource",
    reason: "NotFound",
    details: {},
    code: 404,
  });

export async function serveResource(
  ctx: HttpContext,
  registry: GenericRegistry,
  extraSubresources: Readonly<Record<string, SubresourceHandler>> = {},
): Promise<void> {
  const { info } = ctx;
  const def = registry.definition;
  if (!def.namespaced && info.namespace) throw pathNotFound();
  const acrossNamespaces = def.namespaced && !info.namespace;
  const notAllowed = () => newMethodNotSupported(registry.groupResource, info.method);
  if (acrossNamespaces && info.verb !== "list" && info.verb !== "watch") {
    if (info.name) throw pathNotFound();
    throw notAllowed();
  }
  if (info.subresource) {
    const extra = extraSubresources[`${def.plural}/${info.subresource}`];
    if (extra) return extra(ctx, registry);
    if (!def.subresources?.includes(info.subresource as never)) throw pathNotFound();
    if (info.subresource === "scale" && def.scale) {
      if (!["get", "update", "patch"].includes(info.verb)) throw notAllowed();
      return serveScale(ctx, registry);
    }
    if (info.subresource === "status" || info.subresource === "ephemeralcontainers") {
      if (info.verb === "get") return getObject(ctx, registry);
      if (info.verb === "update") return updateObject(ctx, registry, info.subresource);
      if (info.verb === "patch") return patchObject(ctx, registry, info.subresource);
      throw notAllowed();
    }
    throw newNotFound(registry.groupResource, `${info.name}/${info.subresource}`);
  }
  switch (info.verb) {
    case "get":
      return getObject(ctx, registry);
    case "list":
      return listObjectsHandler(ctx, registry);
    case "watch":
      return serveWatch(ctx, registry);
    case "create":
      if (info.name) throw notAllowed();
      return createObject(ctx, registry);
    case "update":
      return updateObject(ctx, registry, "");
    case "patch":
      return patchObject(ctx, registry, "");
    case "delete":
      return deleteObject(ctx, registry);
    case "deletecollection":
      return deleteCollection(ctx, registry);
    default:
      throw notAllowed();
  }
}
