/**
 * The desired `subsets` of a Service's Endpoints, as a pure function of the service and its
 * pods: one address per pod (ready or not ready), the ports each pod serves, then upstream's
 * `RepackSubsets` (addresses grouped by the exact set of ports they offer, sorted) and the
 * 1000-address truncation (`endpoints.kubernetes.io/over-capacity: truncated`).
 */
import type {
  CoreV1EndpointPort,
  EndpointAddress,
  EndpointSubset,
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
} from "../endpointslice/endpoint-util.ts";

/** Upstream `maxCapacity`: Endpoints hold at most this many addresses. */
export const maxCapacity = 1000;

interface Entry {
  address: EndpointAddress;
  ready: boolean;
  ports: CoreV1EndpointPort[];
}

function podToAddress(service: Service, pod: Pod): EndpointAddress | undefined {
  const family = serviceAddressFamilies(service)[0] ?? "IPv4";
  const ip = podIPsOfFamily(pod, family)[0];
  if (!ip) return undefined;
  const meta = pod.metadata ?? {};
  return {
    ip,
    ...(pod.spec?.nodeName ? { nodeName: pod.spec.nodeName } : {}),
    ...(shouldSetHostname(pod, service) ? { hostname: pod.spec?.hostname ?? "" } : {}),
    targetRef: {
      kind: "Pod",
      namespace: meta.namespace ?? "",
      name: meta.name ?? "",
      uid: meta.uid ?? "",
    },
  };
}

function podPorts(service: Service, pod: Pod): CoreV1EndpointPort[] {
  const ports: CoreV1EndpointPort[] = [];
  for (const sp of service.spec?.ports ?? []) {
    const port = findPort(pod, sp);
    if (port === undefined) continue;
    ports.push({
      ...(sp.name ? { name: sp.name } : {}),
      port,
      protocol: sp.protocol ?? "TCP",
      ...(sp.appProtocol ? { appProtocol: sp.appProtocol } : {}),
    });
  }
  return ports;
}

/** The entries of every pod that belongs in the service's Endpoints. */
function entriesFor(service: Service, pods: readonly Pod[]): Entry[] {
  const publishNotReady = service.spec?.publishNotReadyAddresses === true;
  const headless = service.spec?.clusterIP === "None";
  const entries: Entry[] = [];
  for (const pod of pods) {
    if (!shouldPodBeInEndpoints(pod, publishNotReady)) continue;
    const address = podToAddress(service, pod);
    if (!address) continue;
    const ready = publishNotReady || isPodReady(pod);
    if ((service.spec?.ports ?? []).length === 0) {
      // Headless services may have no ports; others without ports get no endpoints.
      if (headless) entries.push({ address, ready, ports: [] });
      continue;
    }
    const ports = podPorts(service, pod);
    if (ports.length > 0) entries.push({ address, ready, ports });
  }
  return entries;
}

const portKey = (p: CoreV1EndpointPort) =>
  `${p.name ?? ""}\u0000${p.port}\u0000${p.protocol ?? ""}\u0000${p.appProtocol ?? ""}`;
const addressKey = (a: EndpointAddress) => `${a.ip}\u0000${a.targetRef?.uid ?? ""}`;
const byString = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const byAddress = (a: EndpointAddress, b: EndpointAddress) =>
  byString(addressKey(a), addressKey(b));

interface PortAddresses {
  port: CoreV1EndpointPort | undefined;
  addresses: Map<string, { address: EndpointAddress; ready: boolean }>;
}

/** Maps each distinct port to the addresses offering it (a ready recording is never overwritten). */
function addressesByPort(entries: readonly Entry[]): Map<string, PortAddresses> {
  const byPort = new Map<string, PortAddresses>();
  for (const entry of entries) {
    // Entries without ports (headless services) use a sentinel so they are not dropped.
    const ports = entry.ports.length ? entry.ports : [undefined];
    for (const port of ports) {
      const key = port ? portKey(port) : "";
      const slot = byPort.get(key) ?? { port, addresses: new Map() };
      byPort.set(key, slot);
      const akey = addressKey(entry.address);
      const seen = slot.addresses.get(akey);
      if (!seen || (!seen.ready && entry.ready)) {
        slot.addresses.set(akey, { address: entry.address, ready: entry.ready });
      }
    }
  }
  return byPort;
}

/**
 * `RepackSubsets`: ports offered by exactly the same addresses share a subset; addresses and
 * ports are sorted so that equal content always serializes the same way.
 */
function repack(entries: readonly Entry[]): EndpointSubset[] {
  const groups = new Map<string, { slot: PortAddresses; ports: CoreV1EndpointPort[] }>();
  for (const slot of addressesByPort(entries).values()) {
    const key = [...slot.addresses.entries()]
      .map(([k, v]) => `${k}\u0000${v.ready}`)
      .sort()
      .join("\u0001");
    const group = groups.get(key) ?? { slot, ports: [] };
    if (slot.port) group.ports.push(slot.port);
    groups.set(key, group);
  }
  const subsets: EndpointSubset[] = [];
  for (const { slot, ports } of groups.values()) {
    const all = [...slot.addresses.values()];
    const ready = all.filter((a) => a.ready).map((a) => a.address);
    const notReady = all.filter((a) => !a.ready).map((a) => a.address);
    subsets.push({
      ...(ready.length ? { addresses: ready.sort(byAddress) } : {}),
      ...(notReady.length ? { notReadyAddresses: notReady.sort(byAddress) } : {}),
      ...(ports.length ? { ports: ports.sort((a, b) => byString(portKey(a), portKey(b))) } : {}),
    });
  }
  const subsetKey = (s: EndpointSubset) =>
    [...(s.addresses ?? []), ...(s.notReadyAddresses ?? [])].map(addressKey).join(",") +
    (s.ports ?? []).map(portKey).join(",");
  return subsets.sort((a, b) => byString(subsetKey(a), subsetKey(b)));
}

export interface DesiredSubsets {
  readonly subsets: EndpointSubset[];
  readonly ready: number;
  readonly notReady: number;
}

export function computeSubsets(service: Service, pods: readonly Pod[]): DesiredSubsets {
  const entries = entriesFor(service, pods);
  const ready = entries.filter((e) => e.ready).length;
  return { subsets: repack(entries), ready, notReady: entries.length - ready };
}

const countAddresses = (subsets: readonly EndpointSubset[]) =>
  subsets.reduce((n, s) => n + (s.addresses?.length ?? 0) + (s.notReadyAddresses?.length ?? 0), 0);

/**
 * `truncateEndpoints`: keeps at most `maxCapacity` addresses, ready ones first, spread over the
 * subsets in proportion to their size. Returns whether anything was cut.
 */
export function truncateSubsets(subsets: EndpointSubset[]): boolean {
  if (countAddresses(subsets) <= maxCapacity) return false;
  const totalReady = subsets.reduce((n, s) => n + (s.addresses?.length ?? 0), 0);
  const totalNotReady = countAddresses(subsets) - totalReady;
  const truncateReady = totalReady > maxCapacity;
  const max = truncateReady ? maxCapacity : maxCapacity - totalReady;
  const total = truncateReady ? totalReady : totalNotReady;
  let canBeAdded = max;
  for (const subset of subsets) {
    const inSubset = (truncateReady ? subset.addresses : subset.notReadyAddresses)?.length ?? 0;
    const toBeAdded = Math.min(canBeAdded, Math.ceil((inSubset / total) * max));
    if (truncateReady) {
      subset.addresses = (subset.addresses ?? []).slice(0, toBeAdded);
      delete subset.notReadyAddresses;
      canBeAdded -= subset.addresses.length;
    } else {
      subset.notReadyAddresses = (subset.notReadyAddresses ?? []).slice(0, toBeAdded);
      canBeAdded -= subset.notReadyAddresses.length;
    }
  }
  return true;
}

export { countAddresses };
