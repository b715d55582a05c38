/**
 * User impersonation (upstream `WithImpersonation`; `kubectl --as`, `--as-group`, `--as-uid`):
 * a request carrying `Impersonate-User`, `Impersonate-Group`, `Impersonate-Uid` or
 * `Impersonate-Extra-<key>` headers runs as the user they name, once the requester has been
 * authorized for the `impersonate` verb on each part: `users` (or the service account itself,
 * `serviceaccounts` in its namespace), `groups`, `uids` and `userextras/<key>` (the last two
 * in the authentication.k8s.io group). Everything after authentication sees only the
 * impersonated user: authorization, admission, managed fields, `kubectl auth whoami`.
 */
import type { IncomingMessage } from "node:http";
import { newForbidden, newInternalError } from "../../machinery/status.ts";
import type { Authorizer } from "../authz/authorizer.ts";
import { forbiddenMessage } from "../authz/forbidden.ts";
import type { RequestInfo } from "../request-info.ts";
import type { UserInfo } from "./user.ts";

const serviceAccountPrefix = "system:serviceaccount:";
const extraPrefix = "impersonate-extra-";

/** One part of the identity asked for, and what authorizes it. */
interface Part {
  readonly resource: "users" | "serviceaccounts" | "groups" | "userextras" | "uids";
  readonly name: string;
  readonly namespace?: string;
  /** The extra's key (userextras only). */
  readonly key?: string;
}

const groupOf = (p: Part) =>
  p.resource === "userextras" || p.resource === "uids" ? "authentication.k8s.io" : "";

/**
 * Whether any header starts with `Impersonate-` (most requests have none: a quick look at the
 * header names, lower-case in `headers`, which every request has already parsed).
 */
function asksToImpersonate(req: IncomingMessage): boolean {
  for (const name in req.headers) {
    if (name.charCodeAt(0) === 105 && name.startsWith("impersonate-")) return true;
  }
  return false;
}

/** upstream `buildImpersonationRequests`: the parts, or an error when there is no user. */
function partsOf(req: IncomingMessage): Part[] {
  const headers = req.headersDistinct;
  const parts: Part[] = [];
  const user = headers["impersonate-user"]?.[0] ?? "";
  if (user) {
    const sa = user.startsWith(serviceAccountPrefix)
      ? user.slice(serviceAccountPrefix.length).split(":")
      : [];
    parts.push(
      sa.length === 2 && sa[0] && sa[1]
        ? { resource: "serviceaccounts", namespace: sa[0], name: sa[1] }
        : { resource: "users", name: user },
    );
  }
  for (const group of headers["impersonate-group"] ?? [])
    parts.push({ resource: "groups", name: group });
  for (const [header, values] of Object.entries(headers)) {
    if (!header.startsWith(extraPrefix) || !values) continue;
    const key = decodeURIComponent(header.slice(extraPrefix.length));
    for (const value of values) parts.push({ resource: "userextras", key, name: value });
  }
  const uid = headers["impersonate-uid"]?.[0] ?? "";
  if (uid) parts.push({ resource: "uids", name: uid });
  if (parts.length > 0 && !user) {
    const asked = parts.map((p) => `${p.resource} "${p.name}"`).join(", ");
    throw newInternalError(`requested ${asked} without impersonating a user`);
  }
  return parts;
}

/** The check for one part, as a request `authorizer` can decide on. */
function checkFor(p: Part): RequestInfo {
  const group = groupOf(p);
  return {
    isResourceRequest: true,
    path: "",
    method: "",
    verb: "impersonate" as RequestInfo["verb"],
    apiPrefix: group ? "apis" : "api",
    group,
    version: "v1",
    namespace: p.namespace ?? "",
    resource: p.resource,
    name: p.name,
    subresource: p.key ?? "",
    parts: [],
  };
}

/**
 * The user a request runs as: `requester` when it impersonates no one, else the impersonated
 * user. Throws Forbidden (upstream's words) when the requester may not impersonate a part.
 */
export async function impersonatedUser(
  req: IncomingMessage,
  requester: UserInfo,
  authorizer: Authorizer,
): Promise<UserInfo> {
  if (!asksToImpersonate(req)) return requester;
  const parts = partsOf(req);
  if (parts.length === 0) return requester;
  let username = "";
  let uid: string | undefined;
  let groups: string[] = [];
  const extra: Record<string, string[]> = {};
  const groupsAsked = parts.some((p) => p.resource === "groups");
  for (const p of parts) {
    const check = checkFor(p);
    const decision = await authorizer.authorize(requester, check);
    if (!decision.allowed) {
      throw newForbidden(
        { group: check.group, resource: p.resource },
        p.name,
        forbiddenMessage(requester.username, check, decision.reason),
      );
    }
    if (p.resource === "serviceaccounts") {
      username = `${serviceAccountPrefix}${p.namespace}:${p.name}`;
      // A service account's groups follow from its name, unless some are asked for.
      if (!groupsAsked)
        groups = ["system:serviceaccounts", `system:serviceaccounts:${p.namespace}`];
    } else if (p.resource === "users") username = p.name;
    else if (p.resource === "groups") groups.push(p.name);
    else if (p.resource === "uids") uid = p.name;
    else extra[p.key!] = [...(extra[p.key!] ?? []), p.name];
  }
  // The authenticated (or, for anonymous, unauthenticated) group, unless one of them was asked for.
  const implied =
    username === "system:anonymous" ? "system:unauthenticated" : "system:authenticated";
  if (!groups.includes(implied) && !groups.includes("system:unauthenticated")) groups.push(implied);
  return {
    username,
    groups,
    ...(uid !== undefined ? { uid } : {}),
    ...(Object.keys(extra).length > 0 ? { extra } : {}),
  };
}
