/**
 * Bearer-token authentication: service-account JWTs (checked against the live ServiceAccount and,
 * for bound tokens, the Pod) and bootstrap tokens (`<id>.<secret>` matching a
 * `bootstrap.kubernetes.io/token` Secret in kube-system that allows authentication and has not
 * expired). A request that presents a token that is not valid is refused (401), not treated as
 * anonymous.
 */
import { timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { KubeObject } from "../../api/object.ts";
import { newUnauthorized } from "../../machinery/status.ts";
import { verifyToken } from "./jwt.ts";
import type { UserInfo } from "./user.ts";
import type { Authenticator } from "./x509.ts";

/** Reads of the objects tokens refer to (from caches, falling back to the store). */
export interface TokenLookups {
  get(
    resource: "serviceaccounts" | "secrets" | "pods",
    namespace: string,
    name: string,
  ): Promise<KubeObject | undefined>;
}

export interface BearerOptions {
  readonly lookups: TokenLookups;
  readonly publicKeyPem: string;
  readonly issuer: string;
  /** Audiences the API server accepts (default: the issuer). */
  readonly audiences: readonly string[];
  readonly now: () => number;
}

const bootstrapPattern = /^([a-z0-9]{6})\.([a-z0-9]{16})$/;
const bootstrapGroup = /^system:bootstrappers:[a-z0-9:-]{0,255}[a-z0-9]$/;
const decode = (data: Record<string, string> | undefined, key: string) =>
  data?.[key] === undefined ? undefined : Buffer.from(data[key], "base64").toString("utf8");

export async function authenticateBootstrapToken(
  token: string,
  lookups: TokenLookups,
  now: number,
): Promise<UserInfo | undefined> {
  const m = bootstrapPattern.exec(token);
  if (!m) return undefined;
  const [, id, secret] = m as unknown as [string, string, string];
  const obj = await lookups.get("secrets", "kube-system", `bootstrap-token-${id}`);
  if (obj?.type !== "bootstrap.kubernetes.io/token" || obj.metadata?.deletionTimestamp) {
    return undefined;
  }
  const data = obj.data as Record<string, string> | undefined;
  const stored = decode(data, "token-secret") ?? "";
  if (decode(data, "token-id") !== id || stored.length !== secret.length) return undefined;
  if (!timingSafeEqual(Buffer.from(stored), Buffer.from(secret))) return undefined;
  if (decode(data, "usage-bootstrap-authentication") !== "true") return undefined;
  const expiration = decode(data, "expiration");
  // An expiration that does not parse makes the token expired, as upstream.
  if (expiration && !(Date.parse(expiration) > now)) return undefined;
  const extra = (decode(data, "auth-extra-groups") ?? "")
    .split(",")
    .map((g) => g.trim())
    .filter(Boolean);
  // Upstream refuses a token whose extra groups are not all system:bootstrappers:* (a Secret
  // writer must not be able to mint, say, system:masters).
  if (!extra.every((g) => bootstrapGroup.test(g))) return undefined;
  return {
    username: `system:bootstrap:${id}`,
    groups: ["system:bootstrappers", ...extra, "system:authenticated"],
  };
}

export async function authenticateServiceAccountToken(
  token: string,
  options: BearerOptions,
  audiences: readonly string[] = options.audiences,
): Promise<UserInfo | undefined> {
  const verified = verifyToken(token, {
    publicKeyPem: options.publicKeyPem,
    issuer: options.issuer,
    audiences,
    now: options.now(),
  });
  if (!verified) return undefined;
  const { namespace, serviceAccount, pod } = verified;
  const sa = await options.lookups.get("serviceaccounts", namespace, serviceAccount.name);
  if (!sa || (serviceAccount.uid && sa.metadata?.uid !== serviceAccount.uid)) return undefined;
  if (pod) {
    const p = await options.lookups.get("pods", namespace, pod.name);
    if (!p || p.metadata?.uid !== pod.uid || p.metadata?.deletionTimestamp) return undefined;
  }
  return {
    username: verified.subject,
    uid: sa.metadata?.uid ?? "",
    groups: [
      "system:serviceaccounts",
      `system:serviceaccounts:${namespace}`,
      "system:authenticated",
    ],
    ...(pod
      ? {
          extra: {
            "authentication.kubernetes.io/pod-name": [pod.name],
            "authentication.kubernetes.io/pod-uid": [pod.uid],
          },
        }
      : {}),
  };
}

/** The user a bearer token names, or undefined for a token nothing recognises. */
export async function authenticateToken(
  token: string,
  options: BearerOptions,
): Promise<UserInfo | undefined> {
  return (
    (await authenticateBootstrapToken(token, options.lookups, options.now())) ??
    (await authenticateServiceAccountToken(token, options))
  );
}

export function bearerAuthenticator(options: BearerOptions): Authenticator {
  return {
    async authenticate(req: IncomingMessage) {
      const header = req.headers.authorization;
      if (!header) return undefined;
      const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
      if (!m) throw newUnauthorized("Unauthorized");
      const user = await authenticateToken(m[1]!, options);
      if (!user) throw newUnauthorized("Unauthorized");
      return user;
    },
  };
}
