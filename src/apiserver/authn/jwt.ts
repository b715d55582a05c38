/**
 * Service-account tokens: RS256 JWTs with Kubernetes' claims (iss, sub, aud, exp, iat, nbf, jti
 * and the `kubernetes.io` private claim naming the namespace, service account and bound pod),
 * signed with the cluster's service-account key (upstream `pkg/serviceaccount/jwt.go`).
 */
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  createSign,
  createVerify,
  type KeyObject,
  randomUUID,
} from "node:crypto";

export const defaultIssuer = "https://kubernetes.default.svc.cluster.local";

/** Seconds a token stays valid past `exp` (and before `nbf`/`iat`), for clock skew. */
export const clockSkewLeeway = 60;

export interface ServiceAccountClaims {
  readonly namespace: string;
  readonly serviceAccount: { name: string; uid: string };
  readonly pod?: { name: string; uid: string };
  readonly node?: { name: string; uid: string };
  readonly audiences: readonly string[];
  /** Seconds since the epoch. */
  readonly expiresAt: number;
  readonly issuedAt: number;
}

const b64 = (data: string | Buffer) => Buffer.from(data).toString("base64url");

export class TokenSigner {
  readonly #key: KeyObject;
  readonly #kid: string;
  readonly issuer: string;

  constructor(privateKeyPem: string, issuer = defaultIssuer) {
    this.#key = createPrivateKey(privateKeyPem);
    const der = createPublicKey(this.#key).export({ type: "spki", format: "der" });
    this.#kid = createHash("sha256").update(der).digest("base64url");
    this.issuer = issuer;
  }

  sign(claims: ServiceAccountClaims): string {
    const header = b64(JSON.stringify({ alg: "RS256", kid: this.#kid }));
    const { namespace, serviceAccount, pod, node } = claims;
    const payload = b64(
      JSON.stringify({
        aud: claims.audiences,
        exp: claims.expiresAt,
        iat: claims.issuedAt,
        iss: this.issuer,
        jti: randomUUID(),
        "kubernetes.io": {
          namespace,
          ...(node ? { node } : {}),
          ...(pod ? { pod } : {}),
          serviceaccount: serviceAccount,
        },
        nbf: claims.issuedAt,
        sub: `system:serviceaccount:${namespace}:${serviceAccount.name}`,
      }),
    );
    const signature = createSign("RSA-SHA256").update(`${header}.${payload}`).sign(this.#key);
    return `${header}.${payload}.${b64(signature)}`;
  }
}

interface Claims {
  iss?: string;
  sub?: string;
  aud?: string | string[];
  exp?: number;
  nbf?: number;
  iat?: number;
  "kubernetes.io"?: {
    namespace?: string;
    serviceaccount?: { name: string; uid: string };
    pod?: { name: string; uid: string };
  };
}

export interface VerifiedToken {
  readonly issuer: string;
  readonly subject: string;
  readonly audiences: string[];
  readonly expiresAt: number;
  readonly namespace: string;
  readonly serviceAccount: { name: string; uid: string };
  readonly pod?: { name: string; uid: string };
}

/** Checks signature, issuer, audience and times; undefined for anything that is not valid. */
export function verifyToken(
  token: string,
  options: { publicKeyPem: string; issuer: string; audiences: readonly string[]; now: number },
): VerifiedToken | undefined {
  const parts = token.split(".");
  if (parts.length !== 3) return undefined;
  const [header, payload, signature] = parts as [string, string, string];
  let claims: Claims;
  try {
    const h = JSON.parse(Buffer.from(header, "base64url").toString()) as { alg?: string };
    if (h.alg !== "RS256") return undefined;
    const ok = createVerify("RSA-SHA256")
      .update(`${header}.${payload}`)
      .verify(options.publicKeyPem, Buffer.from(signature, "base64url"));
    if (!ok) return undefined;
    claims = JSON.parse(Buffer.from(payload, "base64url").toString());
  } catch {
    return undefined;
  }
  const now = Math.floor(options.now / 1000);
  if (claims.iss !== options.issuer || claims.sub === undefined) return undefined;
  // go-jose's DefaultLeeway: a minute of clock skew either way (exp, nbf and iat).
  if (typeof claims.exp !== "number" || now - clockSkewLeeway > claims.exp) return undefined;
  if (typeof claims.nbf === "number" && now + clockSkewLeeway < claims.nbf) return undefined;
  if (typeof claims.iat === "number" && now + clockSkewLeeway < claims.iat) return undefined;
  const aud: string[] = Array.isArray(claims.aud) ? claims.aud : claims.aud ? [claims.aud] : [];
  if (!aud.some((a) => options.audiences.includes(a))) return undefined;
  const k8s = claims["kubernetes.io"];
  if (!k8s?.namespace || !k8s.serviceaccount?.name) return undefined;
  return {
    issuer: claims.iss,
    subject: claims.sub,
    audiences: aud,
    expiresAt: claims.exp,
    namespace: k8s.namespace,
    serviceAccount: k8s.serviceaccount,
    ...(k8s.pod ? { pod: k8s.pod } : {}),
  };
}
