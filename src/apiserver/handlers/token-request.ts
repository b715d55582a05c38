/**
 * serviceaccounts/<name>/token: TokenRequest, issuing a bound service-account token (audience,
 * expiry, optionally bound to a Pod or Secret) signed with the cluster key — what
 * `kubectl create token` and the kubelet's projected volumes ask for.
 */
import type { KubeObject } from "../../api/object.ts";
import { invalid } from "../../machinery/field-errors.ts";
import { newPath } from "../../machinery/field-path.ts";
import { newBadRequest, newInvalid, newNotFound } from "../../machinery/status.ts";
import type { TokenLookups } from "../authn/bearer.ts";
import type { TokenSigner } from "../authn/jwt.ts";
import { decodeBody, readBody } from "../http/body.ts";
import { writeJson } from "../http/respond.ts";
import type { GenericRegistry } from "../registry/generic-registry.ts";
import type { HttpContext } from "./context.ts";

interface TokenRequestSpec {
  audiences?: string[];
  expirationSeconds?: number;
  boundObjectRef?: { kind?: string; apiVersion?: string; name?: string; uid?: string };
}

export interface TokenRequestParts {
  readonly signer: TokenSigner;
  readonly lookups: TokenLookups;
  readonly now: () => number;
}

export async function serveTokenRequest(
  ctx: HttpContext,
  serviceAccounts: GenericRegistry,
  parts: TokenRequestParts,
): Promise<void> {
  if (ctx.info.verb !== "create") throw newBadRequest("token supports only create");
  const body = decodeBody(ctx.req.headers["content-type"], await readBody(ctx.req)) as KubeObject;
  const spec = (body.spec ?? {}) as TokenRequestSpec;
  const { namespace, name } = ctx.info;
  const expiration = spec.expirationSeconds ?? 3600;
  if (expiration < 600) {
    throw newInvalid({ group: "authentication.k8s.io", kind: "TokenRequest" }, name, [
      invalid(
        newPath("spec", "expirationSeconds"),
        expiration,
        "may not specify a duration less than 10 minutes",
      ),
    ]);
  }
  if (expiration > 2 ** 32) {
    throw newInvalid({ group: "authentication.k8s.io", kind: "TokenRequest" }, name, [
      invalid(
        newPath("spec", "expirationSeconds"),
        expiration,
        "may not specify a duration larger than 2^32 seconds",
      ),
    ]);
  }
  const sa = await serviceAccounts.get(namespace, name);
  let pod: { name: string; uid: string } | undefined;
  const bound = spec.boundObjectRef;
  if (bound) {
    const resource =
      bound.kind === "Pod" ? "pods" : bound.kind === "Secret" ? "secrets" : undefined;
    if (!resource) throw newBadRequest(`cannot bind token to object of type ${bound.kind ?? ""}`);
    const obj = await parts.lookups.get(resource, namespace, bound.name ?? "");
    if (!obj) throw newNotFound({ group: "", resource }, bound.name ?? "");
    if (bound.uid && obj.metadata?.uid !== bound.uid) {
      throw newBadRequest(
        `the UID in the bound object reference (${bound.uid}) does not match the UID in record. The object might have been deleted and then recreated`,
      );
    }
    if (resource === "pods") pod = { name: bound.name ?? "", uid: obj.metadata?.uid ?? "" };
  }
  const now = Math.floor(parts.now() / 1000);
  const audiences = spec.audiences?.length ? spec.audiences : [parts.signer.issuer];
  const token = parts.signer.sign({
    namespace,
    serviceAccount: { name, uid: sa.metadata?.uid ?? "" },
    ...(pod ? { pod } : {}),
    audiences,
    issuedAt: now,
    expiresAt: now + expiration,
  });
  writeJson(ctx.res, 201, {
    kind: "TokenRequest",
    apiVersion: "authentication.k8s.io/v1",
    metadata: { name, namespace, creationTimestamp: null },
    spec: { ...spec, audiences, expirationSeconds: expiration },
    status: {
      token,
      expirationTimestamp: new Date((now + expiration) * 1000)
        .toISOString()
        .replace(/\.\d+Z$/, "Z"),
    },
  });
}
