/**
 * What a Service's EndpointSlices should hold, as a pure function of the service, its pods and
 * their nodes: per address type, the endpoints grouped by the port list they serve (pods whose
 * named ports resolve differently land in different slices), keyed for diffing.
 */
import type {
  DiscoveryV1EndpointPort,
  Endpoint,
  Node,
  Pod,
  Service,
} from "../../api/generated/types.ts";
import { isPodReady } from "../common/pod-utils.ts";
import {
  findPort,
  podIPsOfFamily,
  serviceAddressFamilies,
  shouldPodBeInEndpoints,
  shouldSetHostname,
} from "./endpoint-util.ts";

export type AddressType = "IPv4" | "IPv6";

/** `v1.LabelTopologyZone`. */
export const labelTopologyZone = "topology.kubernetes.io/zone";

/** Endpoints serving one port list. */
export interface EndpointGroup {
  readonly ports: DiscoveryV1EndpointPort[];
  /** Endpoints by `endpointKey`. */
  readonly endpoints: Map<string, Endpoint>;
}

export interface DesiredEndpoints {
  /** Groups by `portsKey`, per address type. */
  readonly byAddressType: Map<AddressType, Map<string, EndpointGroup>>;
  /** Pods left out because their node is not known (yet). */
  readonly skippedPods: string[];
}

/** Identity of an endpoint across syncs: its pod (or, without one, its address). */
export function endpointKey(ep: Endpoint): string {
  return ep.targetRef?.uid ? `uid:${ep.targetRef.uid}` : `ip:${ep.addresses[0] ?? ""}`;
}

/** Identity of a port list; order-insensitive. */
export function portsKey(ports: readonly DiscoveryV1EndpointPort[] | undefined): string {
  return (ports ?? [])
    .map((p) => `${p.name ?? ""}/${p.port ?? ""}/${p.protocol ?? ""}/${p.appProtocol ?? ""}`)
    .sort()
    .join(",");
}

/** `getEndpointPorts`: the service ports this pod serves, with the pod's own port numbers. */
function endpointPorts(service: Service, pod: Pod): DiscoveryV1EndpointPort[] {
  const ports: DiscoveryV1EndpointPort[] = [];
  for (const sp of service.spec?.ports ?? []) {
    const port = findPort(pod, sp);
    if (port === undefined) continue;
    ports.push({
      name: sp.name ?? "",
      port,
      protocol: sp.protocol ?? "TCP",
      ...(sp.appProtocol ? { appProtocol: sp.appProtocol } : {}),
    });
  }
  return ports;
}

/** `podToEndpoint`: conditions, node, zone, pod reference and (for subdomains) hostname. */
function podToEndpoint(service: Service, pod: Pod, node: Node, ip: string): Endpoint {
  const publishNotReady = service.spec?.publishNotReadyAddresses === true;
  const serving = publishNotReady || isPodReady(pod);
  const terminating = pod.metadata?.deletionTimestamp !== undefined;
  // A terminating pod is never "ready" unless not-ready addresses are published anyway.
  const ready = publishNotReady || (serving && !terminating);
  const zone = node.metadata?.labels?.[labelTopologyZone];
  const meta = pod.metadata ?? {};
  return {
    addresses: [ip],
    conditions: { ready, serving, terminating },
    ...(shouldSetHostname(pod, service) ? { hostname: pod.spec?.hostname ?? "" } : {}),
    targetRef: {
      kind: "Pod",
      namespace: meta.namespace ?? "",
      name: meta.name ?? "",
      uid: meta.uid ?? "",
    },
    nodeName: pod.spec?.nodeName ?? "",
    ...(zone !== undefined ? { zone } : {}),
  };
}

export function desiredEndpoints(
  service: Service,
  pods: readonly Pod[],
  nodeByName: (name: string) => Node | undefined,
): DesiredEndpoints {
  const families = serviceAddressFamilies(service);
  const byAddressType = new Map<AddressType, Map<string, EndpointGroup>>(
    families.map((f) => [f, new Map()]),
  );
  const skippedPods: string[] = [];
  for (const pod of pods) {
    if (!shouldPodBeInEndpoints(pod, true)) continue;
    const node = nodeByName(pod.spec?.nodeName ?? "");
    if (!node) {
      skippedPods.push(`${pod.metadata?.namespace}/${pod.metadata?.name}`);
      continue;
    }
    const ports = endpointPorts(service, pod);
    const pk = portsKey(ports);
    for (const family of families) {
      const ip = podIPsOfFamily(pod, family)[0];
      if (!ip) continue;
      const groups = byAddressType.get(family)!;
      const group = groups.get(pk) ?? { ports, endpoints: new Map() };
      groups.set(pk, group);
      const ep = podToEndpoint(service, pod, node, ip);
      group.endpoints.set(endpointKey(ep), ep);
    }
  }
  return { byAddressType, skippedPods };
}
