/**
 * The request pipeline: parse → authenticate → authorize → route (non-resource paths, or a
 * resource registry; admission and validation happen inside the registry) → respond, with a
 * metric and a debug log line per request.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { MetricsRegistry } from "../machinery/metrics.ts";
import { newForbidden, newUnauthorized } from "../machinery/status.ts";
import { impersonatedUser } from "./authn/impersonation.ts";
import { anonymousUser, type UserInfo } from "./authn/user.ts";
import type { Authenticator } from "./authn/x509.ts";
import type { Authorizer } from "./authz/authorizer.ts";
import { forbiddenMessage } from "./authz/forbidden.ts";
import type { HttpContext, ServerParts } from "./handlers/context.ts";
import { type NonResourceParts, serveNonResource } from "./handlers/non-resource.ts";
import { pathNotFound, type SubresourceHandler, serveResource } from "./handlers/resource.ts";
import { type ReviewParts, serveReview } from "./handlers/reviews.ts";
import { negotiate } from "./http/negotiate.ts";
import { writeError, writeJson } from "./http/respond.ts";
import { parseRequestInfo } from "./request-info.ts";

export interface ApiHandlerOptions {
  readonly parts: ServerParts;
  readonly nonResource: NonResourceParts;
  readonly authenticator: Authenticator;
  readonly authorizer: Authorizer;
  readonly metrics: MetricsRegistry;
  readonly subresources?: Readonly<Record<string, SubresourceHandler>>;
  readonly reviews: ReviewParts;
  /**
   * Resources answered, not stored, by group/plural (`/bindings`, `metrics.k8s.io/pods`…);
   * the other virtual resources are the reviews.
   */
  readonly virtualResources: Readonly<Record<string, SubresourceHandler>>;
  /** Non-resource GET paths with their own access rule, answered with JSON. */
  readonly extraPaths?: ReadonlyMap<string, ExtraPath>;
}

/** A non-resource path served outside RBAC: only authenticated users `allowed` admits. */
export interface ExtraPath {
  allowed(user: UserInfo): boolean;
  /** The JSON answer; throw a StatusError to refuse. */
  serve(req: IncomingMessage, user: UserInfo): Promise<unknown>;
}

export function createApiHandler(options: ApiHandlerOptions) {
  const { parts, metrics } = options;
  const requests = metrics.counter(
    "apiserver_request_total",
    "Requests by verb, resource, subresource and code.",
  );
  const latency = metrics.histogram(
    "apiserver_request_duration_seconds",
    "Request latency by verb and resource (watches excluded).",
    [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  );

  return async (
    req: IncomingMessage,
    res: ServerResponse,
    upgrade?: HttpContext["upgrade"],
  ): Promise<void> => {
    const started = performance.now();
    const url = new URL(req.url ?? "/", "https://localhost");
    const info = parseRequestInfo(req.method ?? "GET", url.pathname, url.searchParams);
    let user = anonymousUser;
    try {
      const authenticated = await options.authenticator.authenticate(req);
      if (authenticated) user = authenticated;
      user = await impersonatedUser(req, user, options.authorizer);
      const ctx: HttpContext = {
        req,
        res,
        query: url.searchParams,
        info,
        user,
        negotiated: negotiate(req.headers.accept, url.searchParams),
        parts,
        ...(upgrade ? { upgrade } : {}),
      };
      const extra = info.isResourceRequest ? undefined : options.extraPaths?.get(info.path);
      if (extra && info.method === "get") {
        if (!authenticated) throw newUnauthorized("Unauthorized");
        if (!extra.allowed(user)) {
          throw newForbidden(
            { group: "", resource: "" },
            "",
            forbiddenMessage(user.username, info, ""),
          );
        }
        writeJson(res, 200, await extra.serve(req, user));
        return;
      }
      {
        const decision = await options.authorizer.authorize(user, info);
        if (!decision.allowed && !authenticated) throw newUnauthorized("Unauthorized");
        if (!decision.allowed) {
          throw newForbidden(
            { group: info.group, resource: info.resource },
            info.name,
            forbiddenMessage(user.username, info, decision.reason),
          );
        }
        // A WebSocket exec, attach or port-forward starts as a GET; it also needs `create`, as
        // upstream checks with AuthorizePodWebsocketUpgradeCreatePermission (on since 1.35).
        if (isPodStreamUpgrade(info, upgrade)) {
          const create = { ...info, verb: "create" as const };
          const second = await options.authorizer.authorize(user, create);
          if (!second.allowed) {
            throw newForbidden(
              { group: info.group, resource: info.resource },
              info.name,
              forbiddenMessage(user.username, create, second.reason),
            );
          }
        }
      }
      if (!info.isResourceRequest) {
        serveNonResource(ctx, options.nonResource);
      } else {
        const registry = parts.catalog.lookup(info.group, info.version, info.resource);
        if (!registry) throw pathNotFound();
        const def = registry.definition;
        if (def.virtual) {
          const answer = options.virtualResources[`${def.group}/${def.plural}`];
          await (answer ? answer(ctx, registry) : serveReview(ctx, options.reviews));
        } else await serveResource(ctx, registry, options.subresources);
      }
    } catch (err) {
      writeError(res, err, parts.log);
    } finally {
      const seconds = (performance.now() - started) / 1000;
      const labels = {
        verb: info.verb || info.method,
        resource: info.resource,
        subresource: info.subresource,
        code: String(res.statusCode),
      };
      requests.inc(labels);
      if (info.verb !== "watch")
        latency.observe({ verb: labels.verb, resource: info.resource }, seconds);
      parts.log.debug("request", {
        method: req.method,
        path: url.pathname,
        code: res.statusCode,
        ms: Math.round(seconds * 1000),
        user: user.username,
      });
    }
  };
}

function isPodStreamUpgrade(
  info: import("./request-info.ts").RequestInfo,
  upgrade: HttpContext["upgrade"],
): boolean {
  return (
    upgrade !== undefined &&
    info.verb === "get" &&
    info.group === "" &&
    info.resource === "pods" &&
    ["exec", "attach", "portforward"].includes(info.subresource)
  );
}
