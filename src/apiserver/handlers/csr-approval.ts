/**
 * certificatesigningrequests/<name>/approval: PUT a CSR whose status.conditions carry Approved
 * or Denied (what `kubectl certificate approve|deny` sends). Only the conditions are taken.
 */
import type { KubeObject } from "../../api/object.ts";
import { invalid } from "../../machinery/field-errors.ts";
import { newPath } from "../../machinery/field-path.ts";
import { newBadRequest, newInvalid, newNotFound } from "../../machinery/status.ts";
import { decodeBody, readBody } from "../http/body.ts";
import { writeJson } from "../http/respond.ts";
import type { GenericRegistry } from "../registry/generic-registry.ts";
import type { HttpContext } from "./context.ts";
import { requestContext } from "./objects.ts";

interface Condition {
  type?: string;
  status?: string;
}

export async function serveApproval(ctx: HttpContext, csrs: GenericRegistry): Promise<void> {
  if (ctx.info.verb !== "update") throw newBadRequest("approval supports only update");
  const body = decodeBody(ctx.req.headers["content-type"], await readBody(ctx.req)) as KubeObject;
  const conditions = (
    (body.status as { conditions?: Condition[] } | undefined)?.conditions ?? []
  ).slice();
  const types = new Set(conditions.map((c) => c.type));
  if (types.has("Approved") && types.has("Denied")) {
    throw newInvalid(
      { group: "certificates.k8s.io", kind: "CertificateSigningRequest" },
      ctx.info.name,
      [
        invalid(
          newPath("status", "conditions"),
          "",
          "Approved and Denied conditions are mutually exclusive",
        ),
      ],
    );
  }
  const result = await csrs.update(
    "",
    ctx.info.name,
    (current) => {
      if (!current) throw newNotFound(csrs.groupResource, ctx.info.name);
      current.status = { ...(current.status as object), conditions };
      const rv = body.metadata?.resourceVersion;
      if (rv) current.metadata!.resourceVersion = rv;
      else delete current.metadata!.resourceVersion;
      return current;
    },
    requestContext(ctx),
    { subresource: "raw", admitAs: "approval" },
  );
  writeJson(ctx.res, 200, result.object);
}
