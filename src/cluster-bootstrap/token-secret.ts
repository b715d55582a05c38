/**
 * Reading and writing the Secret that holds a bootstrap token (upstream
 * `k8s.io/cluster-bootstrap/util/secrets` and kubeadm's `encodeTokenSecretData`). Data values are
 * base64 on the wire; an expiration that is not RFC 3339 makes the token expired, as upstream.
 */

import { formatTime } from "../machinery/time.ts";
import {
  bootstrapTokenPattern,
  bootstrapTokenSecretName,
  descriptionKey,
  expirationKey,
  extraGroupsKey,
  parseBootstrapToken,
  secretTypeBootstrapToken,
  tokenIDFromSecretName,
  tokenIDKey,
  tokenSecretKey,
  tokenSecretNamespace,
  usagePrefix,
  usageSigningKey,
} from "./token.ts";

/** The part of a core/v1 Secret these helpers read. */
export interface SecretLike {
  readonly type?: string;
  readonly metadata?: { readonly name?: string; readonly namespace?: string };
  readonly data?: Readonly<Record<string, string>>;
}

/** `GetData`: a data value decoded, "" when absent. */
export function secretData(secret: SecretLike, key: string): string {
  const v = secret.data?.[key];
  return v === undefined ? "" : Buffer.from(v, "base64").toString("utf8");
}

const rfc3339 =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/** Go's `time.Parse(time.RFC3339, s)` in milliseconds since the epoch; undefined if malformed. */
export function parseRFC3339(s: string): number | undefined {
  const m = rfc3339.exec(s);
  if (!m) return undefined;
  const [mo, d, h, mi, sec] = [m[2], m[3], m[4], m[5], m[6]].map(Number) as [
    number,
    number,
    number,
    number,
    number,
  ];
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 59) return undefined;
  const ms = Date.parse(s.toUpperCase());
  return Number.isNaN(ms) ? undefined : ms;
}

/**
 * `GetExpiration`: milliseconds left, and whether the token has expired. No expiration means
 * never; an unparsable one counts as expired.
 */
export function expirationOf(
  secret: SecretLike,
  now: number,
): { expired: boolean; ttlMs: number | undefined; expires: number | undefined } {
  const text = secretData(secret, expirationKey);
  if (text === "") return { expired: false, ttlMs: undefined, expires: undefined };
  const expires = parseRFC3339(text);
  if (expires === undefined) return { expired: true, ttlMs: 0, expires: undefined };
  const ttlMs = expires - now;
  return ttlMs <= 0 ? { expired: true, ttlMs: 0, expires } : { expired: false, ttlMs, expires };
}

export const hasExpired = (secret: SecretLike, now: number): boolean =>
  expirationOf(secret, now).expired;

/** A token as `kubeadm token list` shows it. */
export interface BootstrapTokenInfo {
  readonly id: string;
  readonly secret: string;
  readonly description: string;
  /** Milliseconds since the epoch; undefined: never expires. */
  readonly expires: number | undefined;
  readonly usages: string[];
  readonly groups: string[];
}

/** `BootstrapTokenFromSecret`: the token a Secret holds, or the reason it holds none. */
export function tokenFromSecret(secret: SecretLike): BootstrapTokenInfo | { error: string } {
  const name = secret.metadata?.name ?? "";
  const id = secretData(secret, tokenIDKey);
  if (id === "") return { error: `bootstrap Token Secret has no token-id data: ${name}` };
  if (name !== bootstrapTokenSecretName(id)) {
    return {
      error: `bootstrap token name is not of the form 'bootstrap-token-(token-id)'. Actual: "${name}". Expected: "${bootstrapTokenSecretName(id)}"`,
    };
  }
  const tokenSecret = secretData(secret, tokenSecretKey);
  if (tokenSecret === "")
    return { error: `bootstrap Token Secret has no token-secret data: ${name}` };
  if (!parseBootstrapToken(`${id}.${tokenSecret}`)) {
    return {
      error: `bootstrap Token Secret is invalid and couldn't be parsed: the bootstrap token "${id}.${tokenSecret}" was not of the form "${bootstrapTokenPattern}"`,
    };
  }
  const expirationText = secretData(secret, expirationKey);
  const expires = expirationText === "" ? undefined : parseRFC3339(expirationText);
  if (expirationText !== "" && expires === undefined) {
    return { error: `can't parse expiration time of bootstrap token "${name}"` };
  }
  const usages = Object.keys(secret.data ?? {})
    .filter((k) => k.startsWith(usagePrefix) && secretData(secret, k) === "true")
    .map((k) => k.slice(usagePrefix.length))
    .sort();
  const groups = secretData(secret, extraGroupsKey)
    .split(",")
    .map((g) => g.trim())
    .filter(Boolean);
  return {
    id,
    secret: tokenSecret,
    description: secretData(secret, descriptionKey),
    expires,
    usages,
    groups,
  };
}

/**
 * The token id and secret a Secret offers for signing cluster-info (upstream's
 * `validateSecretForSigning`): named for its id, unexpired, with `usage-bootstrap-signing`.
 */
export function tokenForSigning(
  secret: SecretLike,
  now: number,
): { id: string; secret: string } | undefined {
  if (secret.type !== secretTypeBootstrapToken) return undefined;
  const nameID = tokenIDFromSecretName(secret.metadata?.name ?? "");
  const id = secretData(secret, tokenIDKey);
  if (!nameID || id !== nameID) return undefined;
  const tokenSecret = secretData(secret, tokenSecretKey);
  if (tokenSecret === "" || hasExpired(secret, now)) return undefined;
  if (secretData(secret, usageSigningKey) !== "true") return undefined;
  return { id, secret: tokenSecret };
}

export interface NewTokenSecretOptions {
  readonly id: string;
  readonly secret: string;
  readonly description?: string;
  /** Milliseconds; 0 or undefined: never expires. */
  readonly ttlMs?: number;
  readonly usages: readonly string[];
  readonly groups: readonly string[];
  readonly now: number;
}

/** The Secret `kubeadm token create` writes (`encodeTokenSecretData`). */
export function bootstrapTokenSecret(o: NewTokenSecretOptions) {
  const b64 = (s: string) => Buffer.from(s, "utf8").toString("base64");
  const data: Record<string, string> = {
    [tokenIDKey]: b64(o.id),
    [tokenSecretKey]: b64(o.secret),
  };
  if (o.description) data[descriptionKey] = b64(o.description);
  if (o.ttlMs && o.ttlMs > 0) data[expirationKey] = b64(formatTime(o.now + o.ttlMs));
  for (const usage of o.usages) data[`${usagePrefix}${usage}`] = b64("true");
  if (o.groups.length > 0) data[extraGroupsKey] = b64(o.groups.join(","));
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: bootstrapTokenSecretName(o.id), namespace: tokenSecretNamespace },
    type: secretTypeBootstrapToken,
    data,
  };
}
