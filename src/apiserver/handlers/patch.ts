/**
 * PATCH with JSON patch, merge patch and strategic merge patch. The patch is applied to the
 * current object inside the registry's update loop, so a write conflict re-reads and re-applies,
 * unless the patch itself pins metadata.resourceVersion (then a stale one is a 409).
 */

import { parse as parseYaml } from "yaml";
import type { KubeObject } from "../../api/object.ts";
import { patchMetaFor } from "../../api/schema/patch-meta.ts";
import { applyJsonPatch } from "../../machinery/patch/json-patch.ts";
import { mergePatch } from "../../machinery/patch/merge-patch.ts";
import { strategicMergePatch } from "../../machinery/patch/strategic-merge-patch.ts";
import { newBadRequest, newNotFound, newUnsupportedMediaType } from "../../machinery/status.ts";
import { parseJson, readBody } from "../http/body.ts";
import { acceptedPatchTypes, type PatchType, patchTypeOf } from "../http/negotiate.ts";
import { setWarnings } from "../http/respond.ts";
import type { GenericRegistry } from "../registry/generic-registry.ts";
import { applyObject } from "./apply.ts";
import type { HttpContext } from "./context.ts";
import { checkFields, fieldValidationOf } from "./field-validation.ts";
import { requestContext, respondObject } from "./objects.ts";

export interface PatchRequest {
  readonly type: PatchType;
  readonly body: unknown;
}

/**
 * What of a patched object the field checks walk. A merge patch replaces what it names and leaves
 * the rest as stored, and a built-in kind's stored objects passed the same checks when written
 * (a status patch of a 30,000-pod cluster walked the whole pod for a few fields): its unknown and
 * mistyped fields are the patch's own. Other patches, and custom resources, whose schema may have
 * changed since the object was stored, are checked whole.
 */
function fieldsToCheck(
  patch: PatchRequest,
  patched: KubeObject,
  def: GenericRegistry["definition"],
) {
  return patch.type === "merge" && !def.openapi && !def.strategy.unknownFields
    ? patch.body
    : patched;
}

export async function readPatch(ctx: HttpContext): Promise<PatchRequest> {
  const type = patchTypeOf(ctx.req.headers["content-type"]);
  if (type === undefined) throw newUnsupportedMediaType(acceptedPatchTypes);
  const text = (await readBody(ctx.req)).toString("utf8");
  if (type === "apply") {
    let body: unknown;
    try {
      body = parseYaml(text);
    } catch (err) {
      throw newBadRequest(`error decoding YAML: ${(err as Error).message}`);
    }
    if (body === null || typeof body !== "object" || Array.isArray(body)) {
      throw newBadRequest("apply patch must be an object");
    }
    return { type, body };
  }
  const body = parseJson(text);
  if (
    type === "json"
      ? !Array.isArray(body)
      : body === null || typeof body !== "object" || Array.isArray(body)
  ) {
    throw newBadRequest(
      type === "json"
        ? "json patch must be an array of operations"
        : "patch body must be a JSON object",
    );
  }
  return { type, body };
}

/**
 * Applies a patch to a JSON value (an object or a Scale). `owned`: the caller will not use
 * `target` or the patch again, so a merge patch's result may share their parts.
 */
export function applyPatch(
  target: KubeObject,
  patch: PatchRequest,
  gvk: { group: string; version: string; kind: string },
  owned = false,
): KubeObject {
  switch (patch.type) {
    case "json":
      return applyJsonPatch(target, patch.body) as KubeObject;
    case "merge":
      return mergePatch(target, patch.body, { share: owned }) as KubeObject;
    case "strategic":
      return strategicMergePatch(target, patch.body, patchMetaFor(gvk)) as KubeObject;
    case "apply":
      throw newBadRequest("an apply patch is not applied as a patch");
  }
}

export async function patchObject(
  ctx: HttpContext,
  registry: GenericRegistry,
  subresource: "" | "status" | "ephemeralcontainers",
): Promise<void> {
  const rctx = requestContext(ctx);
  const patch = await readPatch(ctx);
  if (patch.type === "apply") {
    await applyObject(ctx, registry, subresource, patch.body as KubeObject, rctx);
    return;
  }
  if (patch.type === "strategic" && registry.definition.openapi) {
    throw newUnsupportedMediaType(acceptedPatchTypes.filter((t) => !t.includes("strategic")));
  }
  const def = registry.definition;
  const mode = fieldValidationOf(ctx.query);
  const result = await registry.update(
    ctx.info.namespace,
    ctx.info.name,
    (current) => {
      if (!current) throw newNotFound(registry.groupResource, ctx.info.name);
      const currentVersion = current.metadata?.resourceVersion;
      // `current` is this attempt's own copy; the patch body is only read (a retry applies it
      // again to a new copy), so only `current`'s parts are shared.
      const patched = applyPatch(current, patch, def, true);
      if (patched.metadata?.resourceVersion === currentVersion) {
        delete patched.metadata!.resourceVersion;
      }
      rctx.warnings.push(...checkFields(patched, def, mode, fieldsToCheck(patch, patched, def)));
      return patched;
    },
    rctx,
    { subresource },
  );
  setWarnings(ctx.res, [...new Set(rctx.warnings)]);
  respondObject(ctx, registry, result.object);
}
