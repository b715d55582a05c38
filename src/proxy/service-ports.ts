/**
 * Services and EndpointSlices, as the proxy sees them: one `ServicePortInfo` per service port
 * of one IP family, with the endpoints of every slice of that service merged (upstream's
 * `ServiceChangeTracker` + `EndpointSliceCache`, without the change tracking: the proxy is
 * level-triggered and recomputes from the informer caches).
 */
import { isIPv4, isIPv6 } from "node:net";
import type { EndpointSlice, Service } from "../api/generated/types.ts";
import type { IPFamily } from "./ruleset.ts";

export type Protocol = "TCP" | "UDP" | "SCTP";

export interface EndpointInfo {
  readonly ip: string;
  readonly port: number;
  readonly nodeName: string;
  readonly zone: string;
  /** Upstream: a nil condition reads as ready (serving defaults to ready). */
  readonly ready: boolean;
  readonly serving: boolean;
  readonly terminating: boolean;
}

/** How the proxy picks endpoints for Cluster-policy traffic (see the README and ADR 13). */
export type Locality = "node" | "zone" | "cluster";

export interface ServicePortInfo {
  readonly namespace: string;
  readonly name: string;
  readonly portName: string;
  readonly protocol: Protocol;
  readonly port: number;
  /** 0 when the port has none. */
  readonly nodePort: number;
  readonly clusterIP: string;
  readonly externalIPs: readonly string[];
  readonly loadBalancerIPs: readonly string[];
  readonly loadBalancerSourceRanges: readonly string[];
  /** ClientIP affinity timeout in seconds; undefined without affinity. */
  readonly affinitySeconds: number | undefined;
  readonly internalPolicyLocal: boolean;
  readonly externalPolicyLocal: boolean;
  readonly locality: Locality;
  readonly endpoints: readonly EndpointInfo[];
}

/** Opt-out of Bosun's default node-local preference: `bosun.dev/traffic-distribution: Cluster`. */
export const trafficDistributionAnnotation = "bosun.dev/traffic-distribution";
/** Upstream: services carrying this label belong to another proxy. */
export const serviceProxyNameLabel = "service.kubernetes.io/service-proxy-name";
export const serviceNameLabel = "kubernetes.io/service-name";
/** Upstream default `sessionAffinityConfig.clientIP.timeoutSeconds` (3 hours). */
export const defaultAffinitySeconds = 10800;

export const familyOf = (ip: string): IPFamily | undefined =>
  isIPv4(ip) ? "ip" : isIPv6(ip) ? "ip6" : undefined;

export function localityOf(svc: Service): Locality {
  switch (svc.spec?.trafficDistribution) {
    case "PreferClose":
    case "PreferSameNode":
      return "node";
    case "PreferSameZone":
      return "zone";
    case undefined:
    case "":
      break;
    default:
      return "cluster"; // A value this proxy does not know: no preference, as upstream.
  }
  const opt = svc.metadata?.annotations?.[trafficDistributionAnnotation]?.toLowerCase();
  return opt === "cluster" ? "cluster" : "node";
}

/** A service the proxy programs: has a cluster IP, is not headless/ExternalName/foreign. */
function proxied(svc: Service): boolean {
  const spec = svc.spec;
  if (!spec || spec.type === "ExternalName") return false;
  if (svc.metadata?.labels?.[serviceProxyNameLabel] !== undefined) return false;
  const ip = spec.clusterIP;
  return ip !== undefined && ip !== "" && ip !== "None";
}

function endpointsByService(slices: readonly EndpointSlice[], family: IPFamily) {
  const out = new Map<string, EndpointSlice[]>();
  const addressType = family === "ip" ? "IPv4" : "IPv6";
  for (const slice of slices) {
    if (slice.addressType !== addressType) continue;
    const svc = slice.metadata?.labels?.[serviceNameLabel];
    if (!svc) continue;
    const key = `${slice.metadata?.namespace ?? ""}/${svc}`;
    const list = out.get(key);
    if (list) list.push(slice);
    else out.set(key, [slice]);
  }
  return out;
}

function endpointsFor(
  slices: readonly EndpointSlice[],
  portName: string,
  protocol: Protocol,
): EndpointInfo[] {
  const byAddr = new Map<string, EndpointInfo>();
  for (const slice of slices) {
    const port = (slice.ports ?? []).find(
      (p) => (p.name ?? "") === portName && (p.protocol ?? "TCP") === protocol,
    );
    if (port?.port === undefined) continue;
    for (const ep of slice.endpoints ?? []) {
      const ip = ep.addresses?.[0];
      if (!ip) continue;
      const ready = ep.conditions?.ready ?? true;
      const info: EndpointInfo = {
        ip,
        port: port.port,
        nodeName: ep.nodeName ?? "",
        zone: ep.zone ?? "",
        ready,
        serving: ep.conditions?.serving ?? ready,
        terminating: ep.conditions?.terminating ?? false,
      };
      const key = `${ip}:${port.port}`;
      const seen = byAddr.get(key);
      // The same address in two slices (mid-move): the ready copy wins, as upstream.
      if (!seen || (!seen.ready && info.ready)) byAddr.set(key, info);
    }
  }
  return [...byAddr.values()].sort((a, b) =>
    a.ip === b.ip ? a.port - b.port : a.ip < b.ip ? -1 : 1,
  );
}

/** Every proxied service port of `family`, sorted by namespace/name/port name. */
export function collectServicePorts(
  services: readonly Service[],
  slices: readonly EndpointSlice[],
  family: IPFamily,
): ServicePortInfo[] {
  const bySvc = endpointsByService(slices, family);
  const out: ServicePortInfo[] = [];
  for (const svc of services) {
    if (!proxied(svc)) continue;
    const spec = svc.spec!;
    const clusterIP = (spec.clusterIPs?.length ? spec.clusterIPs : [spec.clusterIP!]).find(
      (ip) => familyOf(ip) === family,
    );
    if (!clusterIP) continue;
    const namespace = svc.metadata?.namespace ?? "";
    const name = svc.metadata?.name ?? "";
    const ofFamily = (ips: readonly string[] | undefined) =>
      (ips ?? []).filter((ip) => familyOf(ip) === family);
    const lbIPs =
      spec.type === "LoadBalancer"
        ? ofFamily(
            (svc.status?.loadBalancer?.ingress ?? [])
              .filter((i) => i.ip && i.ipMode !== "Proxy")
              .map((i) => i.ip!),
          )
        : [];
    const sessionAffinity = spec.sessionAffinity === "ClientIP";
    const slices = bySvc.get(`${namespace}/${name}`) ?? [];
    for (const p of spec.ports ?? []) {
      const protocol = p.protocol ?? "TCP";
      const portName = p.name ?? "";
      out.push({
        namespace,
        name,
        portName,
        protocol,
        port: p.port,
        nodePort: spec.type === "NodePort" || spec.type === "LoadBalancer" ? (p.nodePort ?? 0) : 0,
        clusterIP,
        externalIPs: ofFamily(spec.externalIPs),
        loadBalancerIPs: lbIPs,
        loadBalancerSourceRanges:
          spec.type === "LoadBalancer"
            ? (spec.loadBalancerSourceRanges ?? [])
                .map((r) => r.trim())
                .filter((r) => familyOf(r.split("/")[0] ?? "") === family)
            : [],
        affinitySeconds: sessionAffinity
          ? (spec.sessionAffinityConfig?.clientIP?.timeoutSeconds ?? defaultAffinitySeconds)
          : undefined,
        internalPolicyLocal: spec.internalTrafficPolicy === "Local",
        externalPolicyLocal: spec.externalTrafficPolicy === "Local",
        locality: localityOf(svc),
        endpoints: endpointsFor(slices, portName, protocol),
      });
    }
  }
  return out.sort((a, b) => {
    const ka = `${a.namespace}/${a.name}/${a.portName}/${a.protocol}`;
    const kb = `${b.namespace}/${b.name}/${b.portName}/${b.protocol}`;
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  });
}

/** Upstream `ExternallyAccessible`: NodePort, LoadBalancer IPs or external IPs. */
export const externallyAccessible = (sp: ServicePortInfo) =>
  sp.nodePort !== 0 || sp.externalIPs.length > 0 || sp.loadBalancerIPs.length > 0;
