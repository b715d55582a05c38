/**
 * The authorizer chain, as kube-apiserver's `--authorization-mode=Node,RBAC` plus the
 * system:masters shortcut: the first that allows wins; the reasons of those that did not are
 * kept for the Forbidden message.
 */
import type { UserInfo } from "../authn/user.ts";
import type { RequestInfo } from "../request-info.ts";
import type { Authorizer, Decision } from "./authorizer.ts";
import type { NodeGraphSource } from "./node/graph-source.ts";
import { NodeAuthorizer } from "./node/node-authorizer.ts";
import { RbacAuthorizer } from "./rbac/rbac-authorizer.ts";
import { RuleResolver } from "./rbac/rule-resolver.ts";
import type { RbacSource } from "./rbac/source.ts";

export const mastersAuthorizer: Authorizer = {
  async authorize(user) {
    return user.groups.includes("system:masters") ? { allowed: true } : { allowed: false };
  },
};

export function unionAuthorizer(authorizers: readonly Authorizer[]): Authorizer {
  return {
    async authorize(user: UserInfo, info: RequestInfo): Promise<Decision> {
      const reasons: string[] = [];
      for (const a of authorizers) {
        const d = await a.authorize(user, info);
        if (d.allowed) return d;
        if (d.reason) reasons.push(d.reason);
      }
      return reasons.length > 0
        ? { allowed: false, reason: reasons.join("\n") }
        : { allowed: false };
    },
  };
}

export interface ClusterAuthorization {
  readonly authorizer: Authorizer;
  readonly rbac: RbacAuthorizer;
  readonly resolver: RuleResolver;
}

export function clusterAuthorization(source: RbacSource & NodeGraphSource): ClusterAuthorization {
  const resolver = new RuleResolver(source);
  const rbac = new RbacAuthorizer(resolver);
  const node = new NodeAuthorizer(source);
  return { authorizer: unionAuthorizer([mastersAuthorizer, node, rbac]), rbac, resolver };
}
