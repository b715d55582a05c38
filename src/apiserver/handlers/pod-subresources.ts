/**
 * pods/binding (how the scheduler assigns a pod to a node; also the legacy `bindings` resource,
 * which names the pod in the Binding's own metadata) and namespaces/finalize; pods/eviction
 * is in pod-eviction.ts.
 */
import type { Binding, Pod } from "../../api/generated/types.ts";
import { assignPod, validatePodBinding } from "../../api/kinds/workloads/index.ts";
import * as field from "../../machinery/field-errors.ts";
import { newPath } from "../../machinery/field-path.ts";
import {
  newBadRequest,
  newConflict,
  newInvalid,
  newNotFound,
  statusSuccess,
} from "../../machinery/status.ts";
import { formatTime } from "../../machinery/time.ts";
import { decodeBody, readBody } from "../http/body.ts";
import { writeJson } from "../http/respond.ts";
import type { GenericRegistry } from "../registry/generic-registry.ts";
import type { HttpContext } from "./context.ts";
import { requestContext } from "./objects.ts";

export async function serveBinding(ctx: HttpContext, pods: GenericRegistry): Promise<void> {
  if (ctx.info.verb !== "create") throw newBadRequest("binding supports only create");
  const binding = decodeBody(
    ctx.req.headers["content-type"],
    await readBody(ctx.req),
  ) as unknown as Binding;
  const { namespace } = ctx.info;
  // pods/{name}/binding names the pod in its path; the legacy `bindings` resource in the body.
  const name = ctx.info.name || binding.metadata?.name || "";
  if (!name) {
    throw newInvalid({ group: "", kind: "Binding" }, "", [
      field.required(newPath("metadata", "name"), "name or generateName is required"),
    ]);
  }
  const errors = validatePodBinding(binding);
  if (errors.length > 0)
    throw newInvalid({ group: "", kind: "Binding" }, binding.metadata?.name ?? name, errors);
  const now = formatTime(ctx.parts.clock.now());
  await pods.update(
    namespace,
    name,
    (current) => {
      if (!current) throw newNotFound({ group: "", resource: "pods" }, name);
      const conflict = assignPod(current as Pod, binding, now);
      if (conflict) throw newConflict({ group: "", resource: "pods/binding" }, name, conflict);
      delete current.metadata!.resourceVersion;
      return current;
    },
    requestContext(ctx),
    { subresource: "raw" },
  );
  writeJson(ctx.res, 201, { ...statusSuccess(), code: 201 });
}

/** PUT namespaces/{name}/finalize: only spec.finalizers change. */
export async function serveFinalize(ctx: HttpContext, namespaces: GenericRegistry): Promise<void> {
  if (ctx.info.verb !== "update") throw newBadRequest("finalize supports only update");
  const body = decodeBody(ctx.req.headers["content-type"], await readBody(ctx.req));
  const finalizers = (
    (body.spec as { finalizers?: string[] } | undefined)?.finalizers ?? []
  ).slice();
  const result = await namespaces.update(
    "",
    ctx.info.name,
    (current) => {
      if (!current) throw newNotFound({ group: "", resource: "namespaces" }, ctx.info.name);
      current.spec = { ...(current.spec as object), finalizers };
      const rv = (body.metadata as { resourceVersion?: string } | undefined)?.resourceVersion;
      if (rv) current.metadata!.resourceVersion = rv;
      else delete current.metadata!.resourceVersion;
      return current;
    },
    requestContext(ctx),
    { subresource: "raw" },
  );
  writeJson(ctx.res, 200, result.object);
}
