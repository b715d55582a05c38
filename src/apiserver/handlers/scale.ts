/**
 * The scale subresource: an autoscaling/v1 Scale view of a workload's replicas, read and written
 * through the workload itself (paths from the resource's ScaleSpec).
 */
import type { KubeObject } from "../../api/object.ts";
import type { ScaleSpec } from "../../api/resource.ts";
import { selectorFromLabelSelector, selectorFromSet } from "../../machinery/labels.ts";
import { newBadRequest, newNotFound } from "../../machinery/status.ts";
import { decodeBody, readBody } from "../http/body.ts";
import { writeJson } from "../http/respond.ts";
import type { GenericRegistry } from "../registry/generic-registry.ts";
import type { HttpContext } from "./context.ts";
import { requestContext } from "./objects.ts";
import { applyPatch, readPatch } from "./patch.ts";

function at(obj: unknown, path: string): unknown {
  let node = obj;
  for (const part of path.split(".")) {
    if (node === null || typeof node !== "object") return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return node;
}

function setAt(obj: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split(".");
  let node = obj;
  for (const part of parts.slice(0, -1)) {
    node[part] ??= {};
    node = node[part] as Record<string, unknown>;
  }
  node[parts[parts.length - 1]!] = value;
}

/** The selector string of `status.selector`, from a LabelSelector or a plain label map. */
function scaleSelector(selector: object, spec: ScaleSpec): string {
  return spec.labelSelectorIsMap
    ? selectorFromSet(selector as Record<string, string>).toString()
    : selectorFromLabelSelector(selector).toString();
}

export function toScale(obj: KubeObject, spec: ScaleSpec): KubeObject {
  const meta = obj.metadata ?? {};
  const selector = spec.labelSelectorPath ? at(obj, spec.labelSelectorPath) : undefined;
  return {
    kind: "Scale",
    apiVersion: "autoscaling/v1",
    metadata: {
      name: meta.name ?? "",
      ...(meta.namespace ? { namespace: meta.namespace } : {}),
      ...(meta.uid ? { uid: meta.uid } : {}),
      ...(meta.resourceVersion ? { resourceVersion: meta.resourceVersion } : {}),
      ...(meta.creationTimestamp ? { creationTimestamp: meta.creationTimestamp } : {}),
    },
    spec: { replicas: (at(obj, spec.specReplicasPath) as number | undefined) ?? 0 },
    status: {
      replicas: (at(obj, spec.statusReplicasPath) as number | undefined) ?? 0,
      ...(selector && typeof selector === "object"
        ? { selector: scaleSelector(selector, spec) }
        : typeof selector === "string" && selector
          ? { selector }
          : {}),
    },
  };
}

function replicasOf(scale: KubeObject): number {
  const replicas = (scale.spec as { replicas?: unknown } | undefined)?.replicas;
  if (replicas === undefined) return 0;
  if (typeof replicas !== "number" || !Number.isInteger(replicas)) {
    throw newBadRequest("Scale.spec.replicas must be an integer");
  }
  return replicas;
}

export async function serveScale(ctx: HttpContext, registry: GenericRegistry): Promise<void> {
  const spec = registry.definition.scale!;
  const { namespace, name } = ctx.info;
  if (ctx.info.verb === "get") {
    writeJson(ctx.res, 200, toScale(await registry.get(namespace, name), spec));
    return;
  }
  const rctx = requestContext(ctx);
  const patch = ctx.info.verb === "patch" ? await readPatch(ctx) : undefined;
  const body = patch
    ? undefined
    : decodeBody(ctx.req.headers["content-type"], await readBody(ctx.req));
  const result = await registry.update(
    namespace,
    name,
    (current) => {
      if (!current) throw newNotFound(registry.groupResource, name);
      const scale = toScale(current, spec);
      const desired = patch
        ? applyPatch(scale, patch, { group: "autoscaling", version: "v1", kind: "Scale" })
        : (body as KubeObject);
      const replicas = replicasOf(desired);
      if (replicas < 0) {
        throw newBadRequest(
          `Scale.spec.replicas: Invalid value: ${replicas}: must be greater than or equal to 0`,
        );
      }
      setAt(current, spec.specReplicasPath, replicas);
      const rv = desired.metadata?.resourceVersion;
      if (rv && rv !== current.metadata?.resourceVersion) current.metadata!.resourceVersion = rv;
      else delete current.metadata!.resourceVersion;
      return current;
    },
    rctx,
  );
  writeJson(ctx.res, 200, toScale(result.object, spec));
}
