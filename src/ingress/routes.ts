/**
 * Ingress rules as a routing table, a pure function of the Ingresses served, and the lookup of a
 * request's host and path in it, with upstream's precedence:
 *
 * - hosts: an exact host first, then a wildcard (`*.example.com` matches one label:
 *   `a.example.com`, not `example.com` or `a.b.example.com`), then rules without a host; a host
 *   whose paths do not match falls through to the next tier;
 * - paths: the longest matching path, then Exact before Prefix; `Prefix` matches whole path
 *   elements (`/foo` matches `/foo`, `/foo/` and `/foo/bar`, not `/foobar`; a trailing slash on
 *   either side is ignored); `ImplementationSpecific` is treated as `Prefix`;
 * - the same host, path and type in two Ingresses: the older Ingress wins;
 * - nothing matches: the oldest served Ingress's `defaultBackend`, else no route (404).
 */
import type { Ingress, IngressBackend } from "../api/generated/types.ts";

export interface BackendRef {
  readonly namespace: string;
  readonly service: string;
  /** The service port, by number or by name. */
  readonly port: number | string;
  /** `namespace/name` of the Ingress it comes from. */
  readonly ingress: string;
}

interface PathRule {
  readonly path: string;
  readonly exact: boolean;
  readonly backend: BackendRef;
  readonly age: readonly [number, string];
}

export interface RouteTable {
  readonly exact: ReadonlyMap<string, readonly PathRule[]>;
  /** By the suffix after `*` (`.example.com`). */
  readonly wildcard: ReadonlyMap<string, readonly PathRule[]>;
  readonly anyHost: readonly PathRule[];
  readonly defaultBackend?: BackendRef;
}

function backendRef(ing: Ingress, b: IngressBackend | undefined): BackendRef | undefined {
  const svc = b?.service;
  if (!svc?.name) return undefined;
  const port = svc.port?.number ?? svc.port?.name;
  if (port === undefined || port === "") return undefined;
  return {
    namespace: ing.metadata?.namespace ?? "default",
    service: svc.name,
    port,
    ingress: `${ing.metadata?.namespace ?? ""}/${ing.metadata?.name ?? ""}`,
  };
}

const ageOf = (ing: Ingress): [number, string] => [
  Date.parse(ing.metadata?.creationTimestamp ?? "") || 0,
  `${ing.metadata?.namespace ?? ""}/${ing.metadata?.name ?? ""}`,
];

const olderFirst = (a: readonly [number, string], b: readonly [number, string]) =>
  a[0] - b[0] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0);

/** Prefix paths compare without their trailing slash ("/" becomes ""). */
const normalize = (path: string, exact: boolean) =>
  exact ? path : path.endsWith("/") ? path.slice(0, -1) : path;

function byPrecedence(a: PathRule, b: PathRule): number {
  return (
    b.path.length - a.path.length || Number(b.exact) - Number(a.exact) || olderFirst(a.age, b.age)
  );
}

/** The routing table of `ingresses` (already filtered to those this controller serves). */
export function buildRouteTable(ingresses: readonly Ingress[]): RouteTable {
  const exact = new Map<string, PathRule[]>();
  const wildcard = new Map<string, PathRule[]>();
  const anyHost: PathRule[] = [];
  let defaultBackend: { ref: BackendRef; age: [number, string] } | undefined;
  for (const ing of ingresses) {
    const age = ageOf(ing);
    const def = backendRef(ing, ing.spec?.defaultBackend);
    if (def && (!defaultBackend || olderFirst(age, defaultBackend.age) < 0)) {
      defaultBackend = { ref: def, age };
    }
    for (const rule of ing.spec?.rules ?? []) {
      const host = (rule.host ?? "").toLowerCase();
      let list = anyHost;
      if (host.startsWith("*.")) {
        list = wildcard.get(host.slice(1)) ?? [];
        wildcard.set(host.slice(1), list);
      } else if (host !== "") {
        list = exact.get(host) ?? [];
        exact.set(host, list);
      }
      for (const p of rule.http?.paths ?? []) {
        const backend = backendRef(ing, p.backend);
        if (!backend) continue;
        const isExact = p.pathType === "Exact";
        list.push({ path: normalize(p.path || "/", isExact), exact: isExact, backend, age });
      }
    }
  }
  for (const list of [...exact.values(), ...wildcard.values(), anyHost]) list.sort(byPrecedence);
  return {
    exact,
    wildcard,
    anyHost,
    ...(defaultBackend ? { defaultBackend: defaultBackend.ref } : {}),
  };
}

function pathMatches(rule: PathRule, path: string): boolean {
  if (rule.exact) return path === rule.path;
  if (rule.path === "") return true;
  return path === rule.path || path.startsWith(`${rule.path}/`);
}

function firstMatch(rules: readonly PathRule[] | undefined, path: string): BackendRef | undefined {
  for (const r of rules ?? []) if (pathMatches(r, path)) return r.backend;
  return undefined;
}

/** The host of a Host header: lowercased, without port or trailing dot. */
export function requestHost(header: string | undefined): string {
  let h = (header ?? "").toLowerCase();
  if (h.startsWith("[")) h = h.slice(0, h.indexOf("]") + 1);
  else if (h.includes(":")) h = h.slice(0, h.indexOf(":"));
  return h.endsWith(".") ? h.slice(0, -1) : h;
}

/** The backend for a request, or undefined for 404. `path` is the URL path without query. */
export function matchRoute(table: RouteTable, host: string, path: string): BackendRef | undefined {
  const dot = host.indexOf(".");
  return (
    firstMatch(table.exact.get(host), path) ??
    (dot > 0 ? firstMatch(table.wildcard.get(host.slice(dot)), path) : undefined) ??
    firstMatch(table.anyHost, path) ??
    table.defaultBackend
  );
}
