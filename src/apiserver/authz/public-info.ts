/**
 * What anyone may read without credentials: health, readiness and version, and the public
 * cluster-info ConfigMap in kube-public that joining nodes use to find and trust the cluster
 * (kubeadm's discovery).
 */
import type { UserInfo } from "../authn/user.ts";
import type { RequestInfo } from "../request-info.ts";
import type { Authorizer, Decision } from "./authorizer.ts";

const publicPaths = new Set(["/healthz", "/livez", "/readyz", "/version"]);

export function isPublicInfo(info: RequestInfo): boolean {
  if (!info.isResourceRequest) return info.method === "get" && publicPaths.has(info.path);
  return (
    info.verb === "get" &&
    info.group === "" &&
    info.resource === "configmaps" &&
    info.namespace === "kube-public" &&
    info.name === "cluster-info"
  );
}

/** Allows public information to everyone, then asks `next`. */
export function withPublicInfo(next: Authorizer): Authorizer {
  return {
    async authorize(user: UserInfo, info: RequestInfo): Promise<Decision> {
      if (isPublicInfo(info)) return { allowed: true };
      return next.authorize(user, info);
    },
  };
}
