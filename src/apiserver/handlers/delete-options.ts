/**
 * DeleteOptions from a DELETE request: the body (JSON, or protobuf as helm and drain send it) or
 * the query parameters kubectl may use instead.
 */
import { newBadRequest } from "../../machinery/status.ts";
import { decodeBody, readBody } from "../http/body.ts";
import type { DeleteOptions, PropagationPolicy } from "../registry/deletion.ts";
import type { HttpContext } from "./context.ts";

const policies: readonly PropagationPolicy[] = ["Orphan", "Background", "Foreground"];

export async function readDeleteOptions(ctx: HttpContext): Promise<DeleteOptions> {
  const body = await readBody(ctx.req);
  const raw: Record<string, unknown> =
    body.length > 0 ? decodeBody(ctx.req.headers["content-type"], body) : {};
  const q = ctx.query;
  const options: DeleteOptions = {};
  const grace =
    raw.gracePeriodSeconds ??
    (q.has("gracePeriodSeconds") ? Number(q.get("gracePeriodSeconds")) : undefined);
  if (grace !== undefined) {
    if (typeof grace !== "number" || !Number.isInteger(grace)) {
      throw newBadRequest(`invalid gracePeriodSeconds: ${String(grace)}`);
    }
    options.gracePeriodSeconds = grace;
  }
  const policy = raw.propagationPolicy ?? q.get("propagationPolicy") ?? undefined;
  if (policy !== undefined) {
    if (!policies.includes(policy as PropagationPolicy)) {
      throw newBadRequest(
        `propagationPolicy: Unsupported value: "${String(policy)}": supported values: "Foreground", "Background", "Orphan"`,
      );
    }
    options.propagationPolicy = policy as PropagationPolicy;
  }
  const orphan =
    raw.orphanDependents ??
    (q.has("orphanDependents") ? q.get("orphanDependents") === "true" : undefined);
  if (orphan !== undefined) {
    if (options.propagationPolicy) {
      throw newBadRequest(
        "orphanDependents: Invalid value: Cannot both set OrphanDependents and PropagationPolicy",
      );
    }
    options.orphanDependents = Boolean(orphan);
  }
  const pre = raw.preconditions as DeleteOptions["preconditions"] | undefined;
  if (pre) options.preconditions = pre;
  const dryRun = raw.dryRun;
  if (Array.isArray(dryRun) && dryRun.length > 0) {
    for (const v of dryRun)
      if (v !== "All") throw newBadRequest(`Invalid dry run value "${String(v)}"`);
    options.dryRun = dryRun as string[];
  }
  return options;
}
