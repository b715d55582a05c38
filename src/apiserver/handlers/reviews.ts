/**
 * The review APIs, answered from the request (nothing is stored): TokenReview and
 * SelfSubjectReview (authentication), SubjectAccessReview, SelfSubjectAccessReview,
 * LocalSubjectAccessReview and SelfSubjectRulesReview (authorization).
 */
import type { KubeObject } from "../../api/object.ts";
import { newBadRequest } from "../../machinery/status.ts";
import {
  authenticateBootstrapToken,
  authenticateServiceAccountToken,
  type BearerOptions,
} from "../authn/bearer.ts";
import type { UserInfo } from "../authn/user.ts";
import type { Authorizer } from "../authz/authorizer.ts";
import { decodeBody, readBody } from "../http/body.ts";
import { writeJson } from "../http/respond.ts";
import type { RequestInfo, Verb } from "../request-info.ts";
import type { HttpContext } from "./context.ts";

export interface RulesResolver {
  /** SelfSubjectRulesReview status: what `user` may do in `namespace`. */
  rulesFor(
    user: UserInfo,
    namespace: string,
  ): { resourceRules: object[]; nonResourceRules: object[]; incomplete: boolean };
}

export interface ReviewParts {
  readonly bearer: BearerOptions | undefined;
  readonly authorizer: Authorizer;
  readonly rules: RulesResolver | undefined;
}

interface ResourceAttributes {
  namespace?: string;
  verb?: string;
  group?: string;
  version?: string;
  resource?: string;
  subresource?: string;
  name?: string;
}

function requestInfoFor(spec: {
  resourceAttributes?: ResourceAttributes;
  nonResourceAttributes?: { path?: string; verb?: string };
}): RequestInfo {
  const r = spec.resourceAttributes;
  if (r) {
    return {
      isResourceRequest: true,
      path: "",
      method: "",
      verb: (r.verb ?? "") as Verb,
      apiPrefix: r.group ? "apis" : "api",
      group: r.group ?? "",
      version: r.version ?? "",
      namespace: r.namespace ?? "",
      resource: r.resource ?? "",
      name: r.name ?? "",
      subresource: r.subresource ?? "",
      parts: [],
    };
  }
  const n = spec.nonResourceAttributes ?? {};
  return {
    isResourceRequest: false,
    path: n.path ?? "",
    method: "",
    verb: (n.verb ?? "") as Verb,
    apiPrefix: "",
    group: "",
    version: "",
    namespace: "",
    resource: "",
    name: "",
    subresource: "",
    parts: [],
  };
}

function userFromSpec(spec: ReviewSpec): UserInfo {
  return {
    username: spec.user ?? "",
    groups: [...(spec.groups ?? [])],
    ...(spec.uid ? { uid: spec.uid } : {}),
    ...(spec.extra ? { extra: spec.extra } : {}),
  };
}

interface ReviewSpec {
  token?: string;
  audiences?: string[];
  namespace?: string;
  user?: string;
  groups?: string[];
  uid?: string;
  extra?: Record<string, string[]>;
  resourceAttributes?: ResourceAttributes;
  nonResourceAttributes?: { path?: string; verb?: string };
}

async function readReview(ctx: HttpContext): Promise<KubeObject & { spec?: ReviewSpec }> {
  return decodeBody(ctx.req.headers["content-type"], await readBody(ctx.req)) as KubeObject;
}

function answer(
  ctx: HttpContext,
  review: KubeObject,
  apiVersion: string,
  kind: string,
  status: object,
): void {
  writeJson(ctx.res, 201, { ...review, apiVersion, kind, metadata: review.metadata ?? {}, status });
}

export async function serveReview(ctx: HttpContext, parts: ReviewParts): Promise<void> {
  const resource = ctx.info.resource;
  if (ctx.info.verb !== "create") throw newBadRequest(`${resource} only support create`);
  const review = await readReview(ctx);
  const spec = review.spec ?? {};
  const authz = "authorization.k8s.io/v1";
  switch (resource) {
    case "tokenreviews": {
      const token = String(spec.token ?? "");
      const audiences = (spec.audiences as string[] | undefined) ?? parts.bearer?.audiences ?? [];
      const user = parts.bearer
        ? ((await authenticateBootstrapToken(token, parts.bearer.lookups, parts.bearer.now())) ??
          (await authenticateServiceAccountToken(token, parts.bearer, audiences)))
        : undefined;
      const status = user
        ? {
            authenticated: true,
            user: {
              username: user.username,
              uid: user.uid ?? "",
              groups: user.groups,
              ...(user.extra ? { extra: user.extra } : {}),
            },
            audiences,
          }
        : { authenticated: false, error: "token is not valid" };
      return answer(ctx, review, "authentication.k8s.io/v1", "TokenReview", status);
    }
    case "selfsubjectreviews": {
      const u = ctx.user;
      return answer(ctx, review, "authentication.k8s.io/v1", "SelfSubjectReview", {
        userInfo: {
          username: u.username,
          ...(u.uid ? { uid: u.uid } : {}),
          groups: u.groups,
          ...(u.extra ? { extra: u.extra } : {}),
        },
      });
    }
    case "subjectaccessreviews":
    case "selfsubjectaccessreviews":
    case "localsubjectaccessreviews": {
      const self = resource === "selfsubjectaccessreviews";
      const user = self ? ctx.user : userFromSpec(spec);
      if (
        resource === "localsubjectaccessreviews" &&
        spec.resourceAttributes?.namespace !== ctx.info.namespace
      ) {
        throw newBadRequest("spec.resourceAttributes.namespace must match metadata.namespace");
      }
      const decision = await parts.authorizer.authorize(user, requestInfoFor(spec));
      const kind = self
        ? "SelfSubjectAccessReview"
        : resource === "localsubjectaccessreviews"
          ? "LocalSubjectAccessReview"
          : "SubjectAccessReview";
      return answer(ctx, review, authz, kind, {
        allowed: decision.allowed,
        ...(decision.reason ? { reason: decision.reason } : {}),
      });
    }
    case "selfsubjectrulesreviews": {
      const rules = parts.rules?.rulesFor(ctx.user, String(spec.namespace ?? "")) ?? {
        resourceRules: [{ verbs: ["*"], apiGroups: ["*"], resources: ["*"] }],
        nonResourceRules: [{ verbs: ["*"], nonResourceURLs: ["*"] }],
        incomplete: false,
      };
      return answer(ctx, review, authz, "SelfSubjectRulesReview", rules);
    }
    default:
      throw newBadRequest(`${resource} is not a review`);
  }
}
