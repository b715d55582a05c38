/**
 * What a request to the kubelet asks of the authorizer (upstream `pkg/kubelet/server/auth.go`,
 * `GetRequestAttributes`): the verb from the HTTP method, the resource `nodes` named after this
 * node, and a subresource by path — `stats`, `metrics`, `log` (the node's log files under
 * `/logs/`), `checkpoint`; with fine-grained kubelet authorization (on by default since 1.33)
 * `/pods`, `/healthz` and `/configz` ask for `pods`, `healthz`, `configz` first and fall back to
 * `proxy`. Everything else, container logs, exec, attach and port-forward included, is
 * `nodes/proxy`.
 */

export interface KubeletAttributes {
  readonly verb: string;
  readonly resource: "nodes";
  readonly subresource: string;
  readonly name: string;
  readonly path: string;
}

const verbs: Record<string, string> = {
  POST: "create",
  GET: "get",
  HEAD: "get",
  PUT: "update",
  PATCH: "patch",
  DELETE: "delete",
};

const isSubpath = (path: string, root: string) => path === root || path.startsWith(`${root}/`);

/** The attributes to try in order: the request is allowed if any is. */
export function requestAttributes(
  method: string,
  path: string,
  nodeName: string,
): KubeletAttributes[] {
  const attrs = (subresource: string): KubeletAttributes => ({
    verb: verbs[method.toUpperCase()] ?? "",
    resource: "nodes",
    subresource,
    name: nodeName,
    path,
  });
  if (isSubpath(path, "/stats")) return [attrs("stats")];
  if (isSubpath(path, "/metrics")) return [attrs("metrics")];
  if (isSubpath(path, "/logs")) return [attrs("log")];
  if (isSubpath(path, "/checkpoint")) return [attrs("checkpoint")];
  for (const fine of ["pods", "healthz", "configz"]) {
    if (isSubpath(path, `/${fine}`)) return [attrs(fine), attrs("proxy")];
  }
  return [attrs("proxy")];
}
