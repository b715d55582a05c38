/** Upstream's Forbidden text (`responsewriters.forbiddenMessage`), with the authorizers' reasons. */
import type { RequestInfo } from "../request-info.ts";

export function forbiddenMessage(username: string, info: RequestInfo, reason?: string): string {
  const resource = info.subresource ? `${info.resource}/${info.subresource}` : info.resource;
  const scope = info.namespace ? `in the namespace "${info.namespace}"` : "at the cluster scope";
  const what = info.isResourceRequest
    ? `${info.verb} resource "${resource}" in API group "${info.group}" ${scope}`
    : `${info.method} path "${info.path}"`;
  return `User "${username}" cannot ${what}${reason ? `: ${reason}` : ""}`;
}
