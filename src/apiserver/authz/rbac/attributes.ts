/**
 * What an authorizer decides on (upstream `authorizer.Attributes`): a request as RequestInfo
 * parsed it, or a synthetic check such as "may this user bind that role?" whose verb (bind,
 * escalate, impersonate, approve...) no HTTP method produces.
 */
import type { RequestInfo } from "../../request-info.ts";

export interface Attributes {
  readonly verb: string;
  readonly isResourceRequest: boolean;
  readonly apiGroup: string;
  readonly resource: string;
  readonly subresource: string;
  readonly name: string;
  /** "" for cluster-scoped requests and lists across all namespaces. */
  readonly namespace: string;
  /** The request path (what non-resource rules match). */
  readonly path: string;
  /** A list's or watch's label selector, as sent (upstream `GetLabelSelector`). */
  readonly labelSelector?: string;
  /** A list's or watch's field selector, as sent. */
  readonly fieldSelector?: string;
}

/**
 * The attributes of a parsed request. Non-resource requests carry the lower-case HTTP method as
 * their verb, as upstream's RequestInfoFactory sets it. RequestInfo's "connect" (exec, attach,
 * port-forward, proxy) is not an authorization verb upstream: POST is "create", GET is "get",
 * which is what roles grant on `pods/exec` and friends.
 */
export function attributesFromRequestInfo(info: RequestInfo): Attributes {
  return {
    verb: verbOf(info),
    isResourceRequest: info.isResourceRequest,
    apiGroup: info.group,
    resource: info.resource,
    subresource: info.subresource,
    name: info.name,
    namespace: info.namespace,
    path: info.path,
    ...(info.labelSelector ? { labelSelector: info.labelSelector } : {}),
    ...(info.fieldSelector ? { fieldSelector: info.fieldSelector } : {}),
  };
}

/** Attributes of a resource check, e.g. `{ verb: "bind", apiGroup, resource: "clusterroles" }`. */
export function resourceAttributes(
  a: Pick<Attributes, "verb" | "apiGroup" | "resource"> & Partial<Attributes>,
): Attributes {
  return {
    isResourceRequest: true,
    subresource: "",
    name: "",
    namespace: "",
    path: "",
    ...a,
  };
}

function verbOf(info: RequestInfo): string {
  const method = info.method.toLowerCase();
  if (!info.isResourceRequest) return method;
  if (info.verb === "connect") return method === "post" ? "create" : "get";
  return info.verb;
}
