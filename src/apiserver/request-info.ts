/**
 * Parses a request path into what it addresses, as upstream's RequestInfoFactory does:
 *
 *   /api/v1/namespaces/{ns}/{resource}/{name}/{subresource}
 *   /apis/{group}/{version}/namespaces/{ns}/{resource}/{name}/{subresource}
 *   /api/v1/{resource}                (cluster-scoped, or namespaced across all namespaces)
 *
 * Non-resource paths (/healthz, /version, /openapi/v3, discovery roots) come back with
 * `isResourceRequest: false`.
 */
export type Verb =
  | "get"
  | "list"
  | "watch"
  | "create"
  | "update"
  | "patch"
  | "delete"
  | "deletecollection"
  | "connect";

export interface RequestInfo {
  readonly isResourceRequest: boolean;
  readonly path: string;
  /** Lower-case HTTP method. */
  readonly method: string;
  readonly verb: Verb | "";
  readonly apiPrefix: "api" | "apis" | "";
  readonly group: string;
  readonly version: string;
  /** "" for cluster-scoped requests and for lists across all namespaces. */
  readonly namespace: string;
  readonly resource: string;
  readonly name: string;
  readonly subresource: string;
  /** Path segments after the subresource (e.g. a proxy path). */
  readonly parts: readonly string[];
  /** A list's or watch's `labelSelector` (authorizers may allow only selected lists). */
  readonly labelSelector?: string;
  /** A list's or watch's `fieldSelector`, likewise. */
  readonly fieldSelector?: string;
}

const nonResource = (path: string, method: string, apiPrefix: RequestInfo["apiPrefix"] = "") => ({
  isResourceRequest: false,
  path,
  method,
  verb: "" as const,
  apiPrefix,
  group: "",
  version: "",
  namespace: "",
  resource: "",
  name: "",
  subresource: "",
  parts: [],
});

export function parseRequestInfo(
  method: string,
  rawPath: string,
  query: URLSearchParams,
): RequestInfo {
  const m = method.toLowerCase();
  const path = (rawPath.endsWith("/") ? rawPath.replace(/\/+$/, "") : rawPath) || "/";
  const segments: string[] = [];
  // Every request comes through here: no regular expression or escape decoding it does not need.
  for (const s of path.split("/")) {
    if (s.length > 0) segments.push(s.includes("%") ? decodeURIComponent(s) : s);
  }
  const prefix = segments[0];
  if (prefix !== "api" && prefix !== "apis") return nonResource(path, m);
  let rest = segments.slice(1);
  let group = "";
  if (prefix === "apis") {
    if (rest.length < 3) return nonResource(path, m, prefix);
    group = rest[0]!;
    rest = rest.slice(1);
  } else if (rest.length < 2) {
    return nonResource(path, m, prefix);
  }
  const version = rest[0]!;
  rest = rest.slice(1);
  let namespace = "";
  const namespaceSubresource = rest.length === 3 && ["status", "finalize"].includes(rest[2]!);
  if (rest[0] === "namespaces" && !namespaceSubresource) {
    if (rest.length >= 3) {
      namespace = rest[1]!;
      rest = rest.slice(2);
    } else if (rest.length === 2) {
      // /api/v1/namespaces/{name}: the namespace object itself.
      rest = ["namespaces", rest[1]!];
    }
  }
  const [resource = "", pathName = "", subresource = "", ...parts] = rest;
  const isNamespaceObject = resource === "namespaces";
  const verb = verbFor(m, pathName, subresource, query);
  // A list or watch pinned to one object by field selector names it, as upstream's factory does.
  const fieldSelector = query.get("fieldSelector") ?? "";
  const labelSelector = query.get("labelSelector") ?? "";
  const selected = fieldSelector.includes("metadata.name")
    ? /(?:^|,)metadata\.name==?([^,]+)/.exec(fieldSelector)?.[1]
    : undefined;
  const name = pathName || ((verb === "list" || verb === "watch") && selected ? selected : "");
  return {
    isResourceRequest: true,
    path,
    method: m,
    verb,
    apiPrefix: prefix,
    group,
    version,
    namespace: isNamespaceObject && !namespace ? "" : namespace,
    resource,
    name,
    subresource,
    parts,
    ...((verb === "list" || verb === "watch") && labelSelector ? { labelSelector } : {}),
    ...((verb === "list" || verb === "watch") && fieldSelector ? { fieldSelector } : {}),
  };
}

function verbFor(
  method: string,
  name: string,
  subresource: string,
  query: URLSearchParams,
): Verb | "" {
  const watch = query.get("watch");
  const isWatch = watch === "true" || watch === "1";
  switch (method) {
    case "get":
    case "head":
      if (name && !subresource) return isWatch ? "watch" : "get";
      if (name) return "get";
      return isWatch ? "watch" : "list";
    case "post":
      return "create";
    case "put":
      return "update";
    case "patch":
      return "patch";
    case "delete":
      return name ? "delete" : "deletecollection";
    default:
      return "";
  }
}
