/**
 * Server-side apply (PATCH with application/apply-patch+yaml): the configuration is merged into
 * the live object by field ownership (src/machinery/apply); a missing object is created (201).
 */
import type { KubeObject } from "../../api/object.ts";
import { serverSideApply } from "../../machinery/apply/apply.ts";
import type { JsonObject } from "../../machinery/patch/json-value.ts";
import { newBadRequest } from "../../machinery/status.ts";
import { setWarnings } from "../http/respond.ts";
import type { GenericRegistry, RequestContext } from "../registry/generic-registry.ts";
import { apiVersionOfDef, applySchemaOf, ignoredFieldsOf } from "../registry/managed-fields.ts";
import type { HttpContext } from "./context.ts";
import { checkFields, fieldValidationOf } from "./field-validation.ts";
import { respondObject } from "./objects.ts";

export async function applyObject(
  ctx: HttpContext,
  registry: GenericRegistry,
  subresource: "" | "status" | "ephemeralcontainers",
  applied: KubeObject,
  rctx: RequestContext,
): Promise<void> {
  const def = registry.definition;
  const manager = ctx.query.get("fieldManager");
  if (!manager) throw newBadRequest("PATCH, application/apply-patch+yaml requires fieldManager");
  const apiVersion = apiVersionOfDef(def);
  if (applied.apiVersion !== apiVersion || applied.kind !== def.kind) {
    throw newBadRequest(
      `the API version in the data (${String(applied.apiVersion ?? "")}) and kind (${String(applied.kind ?? "")}) must match the request (${apiVersion}, ${def.kind})`,
    );
  }
  const name = applied.metadata?.name;
  if (name !== undefined && name !== ctx.info.name) {
    throw newBadRequest(
      `the name of the object (${name}) does not match the name on the URL (${ctx.info.name})`,
    );
  }
  const schema = applySchemaOf(def);
  if (!schema) throw newBadRequest(`server-side apply is not supported for ${def.plural}`);
  rctx.warnings.push(...checkFields(applied, def, fieldValidationOf(ctx.query)));
  const force = ctx.query.get("force") === "true";
  const ignored = ignoredFieldsOf(def, subresource);
  const requested = applied.metadata?.resourceVersion;
  const result = await registry.update(
    ctx.info.namespace,
    ctx.info.name,
    (current) => {
      const live = current ? structuredClone(current) : undefined;
      if (live?.metadata) delete live.metadata.resourceVersion;
      const { object } = serverSideApply({
        live: live as JsonObject | undefined,
        applied: {
          ...applied,
          metadata: { ...applied.metadata, name: ctx.info.name },
        } as JsonObject,
        manager,
        force,
        apiVersion,
        schema,
        now: new Date(ctx.parts.clock.now()),
        ...(subresource ? { subresource } : {}),
        ...(ignored ? { ignoredFields: ignored } : {}),
      });
      const out = object as KubeObject;
      out.metadata ??= {};
      if (requested) out.metadata.resourceVersion = requested;
      else delete out.metadata.resourceVersion;
      if (current && !out.metadata.uid) out.metadata.uid = current.metadata?.uid ?? "";
      return out;
    },
    { ...rctx, applying: true },
    { subresource, createIfMissing: subresource === "" },
  );
  setWarnings(ctx.res, rctx.warnings);
  respondObject(ctx, registry, result.object, result.created ? 201 : 200);
}
