/**
 * Bootstrap tokens as upstream's `k8s.io/cluster-bootstrap/token/{api,util}` define them: the
 * `<id>.<secret>` string, the Secret that stores one (`kube-system/bootstrap-token-<id>`, type
 * `bootstrap.kubernetes.io/token`), its data keys, usages and extra groups, and the public
 * `kube-public/cluster-info` ConfigMap whose kubeconfig the tokens sign.
 */
import { randomInt } from "node:crypto";

export const secretTypeBootstrapToken = "bootstrap.kubernetes.io/token";
export const bootstrapTokenSecretPrefix = "bootstrap-token-";
export const tokenSecretNamespace = "kube-system";
export const tokenIDKey = "token-id";
export const tokenSecretKey = "token-secret";
export const expirationKey = "expiration";
export const descriptionKey = "description";
export const extraGroupsKey = "auth-extra-groups";
export const usagePrefix = "usage-bootstrap-";
export const usageSigningKey = `${usagePrefix}signing`;
export const usageAuthenticationKey = `${usagePrefix}authentication`;

export const clusterInfoNamespace = "kube-public";
export const clusterInfoName = "cluster-info";
export const kubeConfigKey = "kubeconfig";
export const jwsSignatureKeyPrefix = "jws-kubeconfig-";

export const bootstrapUserPrefix = "system:bootstrap:";
export const bootstrapDefaultGroup = "system:bootstrappers";
export const knownTokenUsages = ["signing", "authentication"] as const;

export const bootstrapTokenPattern = "\\A([a-z0-9]{6})\\.([a-z0-9]{16})\\z";
export const bootstrapTokenIDPattern = "\\A([a-z0-9]{6})\\z";
export const bootstrapGroupPattern = "\\Asystem:bootstrappers:[a-z0-9:-]{0,255}[a-z0-9]\\z";

const tokenRe = /^([a-z0-9]{6})\.([a-z0-9]{16})$/;
const idRe = /^[a-z0-9]{6}$/;
const groupRe = /^system:bootstrappers:[a-z0-9:-]{0,255}[a-z0-9]$/;
const alphabet = "0123456789abcdefghijklmnopqrstuvwxyz";

export interface BootstrapTokenString {
  readonly id: string;
  readonly secret: string;
}

/** `GenerateBootstrapToken`: a fresh random `[a-z0-9]{6}.[a-z0-9]{16}`. */
export function generateBootstrapToken(): string {
  const random = (n: number) =>
    Array.from({ length: n }, () => alphabet[randomInt(alphabet.length)]).join("");
  return `${random(6)}.${random(16)}`;
}

/** The id and secret of a well-formed token; undefined otherwise. */
export function parseBootstrapToken(token: string): BootstrapTokenString | undefined {
  const m = tokenRe.exec(token);
  return m ? { id: m[1]!, secret: m[2]! } : undefined;
}

export const isValidBootstrapTokenID = (id: string): boolean => idRe.test(id);

export const bootstrapTokenSecretName = (id: string): string =>
  `${bootstrapTokenSecretPrefix}${id}`;

/** `ParseName`: the token id of a `bootstrap-token-<id>` Secret name. */
export function tokenIDFromSecretName(name: string): string | undefined {
  if (!name.startsWith(bootstrapTokenSecretPrefix)) return undefined;
  const id = name.slice(bootstrapTokenSecretPrefix.length);
  return isValidBootstrapTokenID(id) ? id : undefined;
}

/** `ValidateBootstrapGroupName`; returns the error message, or undefined when valid. */
export function validateBootstrapGroupName(name: string): string | undefined {
  if (groupRe.test(name)) return undefined;
  return `bootstrap group "${name}" is invalid (must match ${bootstrapGroupPattern})`;
}

/** `ValidateUsages`; returns the error message, or undefined when every usage is known. */
export function validateUsages(usages: readonly string[]): string | undefined {
  const known: readonly string[] = knownTokenUsages;
  const bad = usages.filter((u) => !known.includes(u));
  if (bad.length === 0) return undefined;
  return `invalid bootstrap token usage string: ${bad.join(",")}, valid usage options: ${known.join(",")}`;
}
