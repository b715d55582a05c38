/**
 * Reads and writes of whole objects: get, list, create, update, delete, deletecollection.
 */
import type { KubeObject } from "../../api/object.ts";
import { apiVersionOf } from "../../api/object.ts";
import { managerOrUserAgent } from "../../machinery/apply/update.ts";
import { newBadRequest, statusSuccess } from "../../machinery/status.ts";
import {
  type CachedList,
  cacheCanServe,
  cachedListBody,
  listFromCache,
} from "../cache/cached-list.ts";
import { parseCached } from "../cache/watch-cache.ts";
import { decodeBody, readBody } from "../http/body.ts";
import { setWarnings, writeJson, writeJsonBody } from "../http/respond.ts";
import type { GenericRegistry, RequestContext } from "../registry/generic-registry.ts";
import { listObjects } from "../registry/list.ts";
import type { HttpContext } from "./context.ts";
import { readDeleteOptions } from "./delete-options.ts";
import { checkFields, fieldValidationOf } from "./field-validation.ts";
import { compileSelection, selectorFilter } from "./selectors.ts";
import { toTable } from "./table.ts";

export function requestContext(ctx: HttpContext): RequestContext {
  const dryRun = ctx.query.getAll("dryRun");
  for (const v of dryRun) {
    if (v !== "All") throw newBadRequest(`Invalid dry run value "${v}": supported values: "All"`);
  }
  const fieldManager = ctx.query.get("fieldManager") ?? undefined;
  if (fieldManager !== undefined && fieldManager.length > 128) {
    throw newBadRequest(`fieldManager: Too long: may not be more than 128 bytes`);
  }
  const manager = managerOrUserAgent(fieldManager, ctx.req.headers["user-agent"] ?? "");
  return { user: ctx.user, dryRun: dryRun.length > 0, warnings: [], manager };
}

/** Sends an object, or a one-row Table when the client asked for one. */
export function respondObject(
  ctx: HttpContext,
  registry: GenericRegistry,
  obj: KubeObject,
  code = 200,
) {
  if (ctx.negotiated.rendering === "table") {
    const table = toTable(registry.definition, [obj], {
      include: ctx.negotiated.includeObject,
      now: ctx.parts.clock.now(),
      listMeta: { resourceVersion: obj.metadata?.resourceVersion ?? "" },
    });
    writeJson(ctx.res, code, table);
    return;
  }
  const body = registry.responseBody(obj);
  if (body) writeJsonBody(ctx.res, code, body);
  else writeJson(ctx.res, code, obj);
}

/** Decodes a body meant for `registry`, checking apiVersion/kind and unknown fields. */
export async function readObject(
  ctx: HttpContext,
  registry: GenericRegistry,
  rctx: RequestContext,
): Promise<KubeObject> {
  const obj = decodeBody(ctx.req.headers["content-type"], await readBody(ctx.req)) as KubeObject;
  const def = registry.definition;
  const expected = apiVersionOf(def.group, def.version);
  if (obj.apiVersion !== undefined && obj.apiVersion !== expected) {
    throw newBadRequest(
      `the API version in the data (${String(obj.apiVersion)}) does not match the expected API version (${expected})`,
    );
  }
  if (obj.kind !== undefined && obj.kind !== def.kind) {
    throw newBadRequest(
      `the kind in the data (${String(obj.kind)}) does not match the expected kind (${def.kind})`,
    );
  }
  rctx.warnings.push(...checkFields(obj, def, fieldValidationOf(ctx.query)));
  return obj;
}

export async function getObject(ctx: HttpContext, registry: GenericRegistry): Promise<void> {
  if (ctx.negotiated.rendering === "table") {
    respondObject(ctx, registry, await registry.get(ctx.info.namespace, ctx.info.name));
    return;
  }
  writeJsonBody(ctx.res, 200, await registry.getBody(ctx.info.namespace, ctx.info.name));
}

export async function listObjectsHandler(ctx: HttpContext, registry: GenericRegistry) {
  const q = ctx.query;
  const limit = q.get("limit");
  if (limit !== null && !/^\d+$/.test(limit)) throw newBadRequest(`invalid limit: ${limit}`);
  const cache = ctx.parts.caches.get(registry);
  if (
    cache?.ready &&
    cacheCanServe({
      continue: q.get("continue"),
      resourceVersionMatch: q.get("resourceVersionMatch"),
    })
  ) {
    const list = await listFromCache(cache, {
      namespace: ctx.info.namespace,
      ...compileSelection(registry.definition, q),
      limit: limit ? Number(limit) : 0,
      resourceVersion: q.get("resourceVersion") ?? undefined,
      resourceVersionMatch: q.get("resourceVersionMatch") ?? undefined,
    });
    if (list) {
      respondCachedList(ctx, registry, list);
      return;
    }
  }
  const filter = selectorFilter(registry.definition, q);
  const list = await listObjects(registry, ctx.info.namespace, {
    ...(filter ? { filter } : {}),
    ...(limit ? { limit: Number(limit) } : {}),
    ...(q.get("continue") ? { continue: q.get("continue")! } : {}),
    ...(q.has("resourceVersion") ? { resourceVersion: q.get("resourceVersion")! } : {}),
    ...(q.get("resourceVersionMatch")
      ? { resourceVersionMatch: q.get("resourceVersionMatch")! }
      : {}),
  });
  if (ctx.negotiated.rendering === "table") {
    const table = toTable(registry.definition, list.items, {
      include: ctx.negotiated.includeObject,
      now: ctx.parts.clock.now(),
      listMeta: list.metadata,
    });
    writeJson(ctx.res, 200, table);
    return;
  }
  writeJson(ctx.res, 200, list);
}

function respondCachedList(ctx: HttpContext, registry: GenericRegistry, list: CachedList): void {
  if (ctx.negotiated.rendering === "table") {
    const objects = list.items.map(parseCached);
    const table = toTable(registry.definition, objects, {
      include: ctx.negotiated.includeObject,
      now: ctx.parts.clock.now(),
      listMeta: {
        resourceVersion: String(list.revision),
        ...(list.continue ? { continue: list.continue } : {}),
      },
    });
    writeJson(ctx.res, 200, table);
    return;
  }
  writeJsonBody(ctx.res, 200, cachedListBody(registry.definition, list));
}

export async function createObject(ctx: HttpContext, registry: GenericRegistry): Promise<void> {
  const rctx = requestContext(ctx);
  const obj = await readObject(ctx, registry, rctx);
  const created = await registry.create(ctx.info.namespace, obj, rctx);
  setWarnings(ctx.res, rctx.warnings);
  respondObject(ctx, registry, created, 201);
}

export async function updateObject(
  ctx: HttpContext,
  registry: GenericRegistry,
  subresource: "" | "status" | "ephemeralcontainers",
): Promise<void> {
  const rctx = requestContext(ctx);
  const obj = await readObject(ctx, registry, rctx);
  const result = await registry.update(ctx.info.namespace, ctx.info.name, () => obj, rctx, {
    subresource,
  });
  setWarnings(ctx.res, rctx.warnings);
  respondObject(ctx, registry, result.object, result.created ? 201 : 200);
}

export async function deleteObject(ctx: HttpContext, registry: GenericRegistry): Promise<void> {
  const options = await readDeleteOptions(ctx);
  const rctx = {
    ...requestContext(ctx),
    dryRun: (options.dryRun ?? []).length > 0 || ctx.query.has("dryRun"),
  };
  const { object, deleted } = await registry.delete(
    ctx.info.namespace,
    ctx.info.name,
    options,
    rctx,
  );
  if (!deleted) {
    writeJson(ctx.res, 200, object);
    return;
  }
  const def = registry.definition;
  writeJson(
    ctx.res,
    200,
    statusSuccess({
      name: ctx.info.name,
      group: def.group,
      kind: def.plural,
      uid: object.metadata?.uid ?? "",
    }),
  );
}

export async function deleteCollection(ctx: HttpContext, registry: GenericRegistry) {
  const options = await readDeleteOptions(ctx);
  const rctx = {
    ...requestContext(ctx),
    dryRun: (options.dryRun ?? []).length > 0 || ctx.query.has("dryRun"),
  };
  const filter = selectorFilter(registry.definition, ctx.query);
  const list = await listObjects(registry, ctx.info.namespace, filter ? { filter } : {});
  const deleted: KubeObject[] = [];
  for (const item of list.items) {
    const meta = item.metadata ?? {};
    try {
      const result = await registry.delete(meta.namespace ?? "", meta.name ?? "", options, rctx);
      deleted.push(result.object);
    } catch (err) {
      if ((err as { reason?: string }).reason !== "NotFound") throw err;
    }
  }
  writeJson(ctx.res, 200, { ...list, items: deleted });
}
