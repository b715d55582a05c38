/**
 * Authorization: may this user do this verb on this resource (or non-resource path)?
 * The security issue brings RBAC and the Node authorizer; until then every authenticated user
 * is allowed, which is what the admin kubeconfig (group system:masters) needs.
 */
import type { UserInfo } from "../authn/user.ts";
import type { RequestInfo } from "../request-info.ts";

export interface Decision {
  readonly allowed: boolean;
  readonly reason?: string;
}

export interface Authorizer {
  authorize(user: UserInfo, info: RequestInfo): Promise<Decision>;
}

export const authenticatedAuthorizer: Authorizer = {
  async authorize(user) {
    return user.groups.includes("system:authenticated")
      ? { allowed: true }
      : { allowed: false, reason: "not authenticated" };
  },
};
