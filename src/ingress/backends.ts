/**
 * From a route's backend (service and service port) to addresses to connect to: the ready
 * endpoints of the service's EndpointSlices on the port whose name is the service port's name
 * (how EndpointSlices carry target ports), taken in turn (round robin). ExternalName services
 * resolve to their external name on the service port.
 */
import type { EndpointSlice, Service } from "../api/generated/types.ts";
import type { BackendRef } from "./routes.ts";

export interface Target {
  readonly host: string;
  readonly port: number;
}

/** What the lookup needs from the informers' caches. */
export interface BackendSource {
  service(namespace: string, name: string): Service | undefined;
  slices(namespace: string, service: string): readonly EndpointSlice[];
}

export type Resolved =
  | { readonly kind: "targets"; readonly targets: readonly Target[] }
  | { readonly kind: "no-service" }
  | { readonly kind: "no-endpoints" };

/** Every ready target of `ref`, in a stable order. */
export function resolveBackend(source: BackendSource, ref: BackendRef): Resolved {
  const svc = source.service(ref.namespace, ref.service);
  if (!svc) return { kind: "no-service" };
  const port = (svc.spec?.ports ?? []).find((p) =>
    typeof ref.port === "number" ? p.port === ref.port : p.name === ref.port,
  );
  if (!port) return { kind: "no-service" };
  if (svc.spec?.type === "ExternalName" && svc.spec.externalName) {
    return { kind: "targets", targets: [{ host: svc.spec.externalName, port: port.port }] };
  }
  const protocol = port.protocol ?? "TCP";
  const name = port.name ?? "";
  const targets: Target[] = [];
  const seen = new Set<string>();
  for (const slice of source.slices(ref.namespace, ref.service)) {
    if (slice.addressType === "FQDN") continue;
    const sp = (slice.ports ?? []).find(
      (p) => (p.name ?? "") === name && (p.protocol ?? "TCP") === protocol,
    );
    if (sp?.port === undefined) continue;
    for (const ep of slice.endpoints ?? []) {
      if (ep.conditions?.ready === false) continue;
      const host = ep.addresses?.[0];
      if (!host || seen.has(`${host}|${sp.port}`)) continue;
      seen.add(`${host}|${sp.port}`);
      targets.push({ host, port: sp.port });
    }
  }
  targets.sort((a, b) => (a.host < b.host ? -1 : a.host > b.host ? 1 : a.port - b.port));
  return targets.length > 0 ? { kind: "targets", targets } : { kind: "no-endpoints" };
}

/** Hands out targets in turn per backend, so that load spreads across endpoints. */
export class RoundRobin {
  readonly #next = new Map<string, number>();

  /** `targets` rotated to start at this backend's next turn. */
  order(key: string, targets: readonly Target[]): Target[] {
    const n = this.#next.get(key) ?? 0;
    this.#next.set(key, (n + 1) % 1_000_000_007);
    const k = n % targets.length;
    return [...targets.slice(k), ...targets.slice(0, k)];
  }
}
