/**
 * pods/binding (how the scheduler assigns a pod to a node) and pods/eviction (a delete that
 * PodDisruptionBudgets may refuse; budgets arrive with the scheduler issue).
 */
import type { KubeObject } from "../../api/object.ts";
import { newBadRequest, newConflict, newNotFound, statusSuccess } from "../../machinery/status.ts";
import { decodeBody, readBody } from "../http/body.ts";
import { writeJson } from "../http/respond.ts";
import type { DeleteOptions } from "../registry/deletion.ts";
import type { GenericRegistry } from "../registry/generic-registry.ts";
import type { HttpContext } from "./context.ts";
import { requestContext } from "./objects.ts";

interface PodLike extends KubeObject {
  spec?: { nodeName?: string };
  status?: { conditions?: Array<Record<string, unknown>> };
}

export async function serveBinding(ctx: HttpContext, pods: GenericRegistry): Promise<void> {
  if (ctx.info.verb !== "create") throw newBadRequest("binding supports only create");
  const body = decodeBody(ctx.req.headers["content-type"], await readBody(ctx.req));
  const target = (body.target ?? {}) as { name?: string; kind?: string };
  if (!target.name) throw newBadRequest("Binding.target.name: Required value");
  if (target.kind && target.kind !== "Node") {
    throw newBadRequest(
      `Binding.target.kind: Unsupported value: "${target.kind}": supported values: "Node"`,
    );
  }
  const { namespace, name } = ctx.info;
  const binding = { group: "", resource: "pods/binding" };
  const now = new Date(ctx.parts.clock.now()).toISOString().replace(/\.\d+Z$/, "Z");
  await pods.update(
    namespace,
    name,
    (current) => {
      const pod = current as PodLike | undefined;
      if (!pod) throw newNotFound({ group: "", resource: "pods" }, name);
      if (pod.metadata?.deletionTimestamp) {
        throw newConflict(
          binding,
          name,
          `pod ${name} is being deleted, cannot be assigned to a host`,
        );
      }
      if (pod.spec?.nodeName) {
        throw newConflict(
          binding,
          name,
          `pod ${name} is already assigned to node "${pod.spec.nodeName}"`,
        );
      }
      pod.spec = { ...pod.spec, nodeName: target.name! };
      const conditions = (pod.status?.conditions ?? []).filter((c) => c.type !== "PodScheduled");
      conditions.push({
        type: "PodScheduled",
        status: "True",
        lastProbeTime: null,
        lastTransitionTime: now,
      });
      pod.status = { ...pod.status, conditions };
      delete pod.metadata!.resourceVersion;
      return pod;
    },
    requestContext(ctx),
    { subresource: "raw" },
  );
  writeJson(ctx.res, 201, { ...statusSuccess(), code: 201 });
}

export async function serveEviction(ctx: HttpContext, pods: GenericRegistry): Promise<void> {
  if (ctx.info.verb !== "create") throw newBadRequest("eviction supports only create");
  const body = decodeBody(ctx.req.headers["content-type"], await readBody(ctx.req));
  const options = (body.deleteOptions ?? {}) as DeleteOptions;
  await pods.delete(ctx.info.namespace, ctx.info.name, options, requestContext(ctx));
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
