/**
 * The records a cluster name stands for (CoreDNS kubernetes plugin `Records`/`findServices`/
 * `findPods`): each is an owner name (the service's or endpoint's DNS name), a host (an address,
 * or a name for ExternalName) and a port (-1: none). An error means the name does not exist.
 */
import type { DnsIndex, PortEntry } from "./dns-index.ts";
import { parseRequest, podAddress, type RecordRequest } from "./parse-name.ts";

export interface ClusterRecord {
  /** The DNS name the record belongs to, fully qualified without the trailing dot. */
  readonly owner: string;
  /** An IP address, or a target name (ExternalName). */
  readonly host: string;
  readonly port: number;
}

export type RecordsResult =
  | { readonly exists: true; readonly records: readonly ClusterRecord[] }
  | { readonly exists: false };

const nameError: RecordsResult = { exists: false };

function portMatches(r: RecordRequest, p: PortEntry): boolean {
  return (
    (r.port === "" || r.port === p.name.toLowerCase()) &&
    (r.protocol === "" || r.protocol === p.protocol.toLowerCase())
  );
}

function findPods(index: DnsIndex, r: RecordRequest, zone: string): RecordsResult {
  if (!index.hasNamespace(r.namespace)) return nameError;
  if (r.service === "") return { exists: true, records: [] };
  if (r.endpoint !== "" || r.port !== "") return nameError;
  const ip = podAddress(r.service);
  if (!ip) return nameError;
  return {
    exists: true,
    records: [{ owner: `${r.service}.${r.namespace}.pod.${zone}`, host: ip, port: -1 }],
  };
}

function findServices(index: DnsIndex, r: RecordRequest, zone: string): RecordsResult {
  if (r.service === "") return { exists: true, records: [] };
  const svc = index.service(r.namespace, r.service);
  if (!svc) return nameError;
  const owner = `${svc.name}.${svc.namespace}.svc.${zone}`;
  if (svc.externalName !== undefined) {
    if (r.endpoint !== "") return nameError;
    return { exists: true, records: [{ owner, host: svc.externalName, port: -1 }] };
  }
  const records: ClusterRecord[] = [];
  let matched = false;
  if (svc.headless || r.endpoint !== "") {
    for (const slice of index.slicesOf(svc.namespace, svc.name)) {
      const ports: PortEntry[] =
        slice.ports.length > 0 ? [...slice.ports] : [{ name: "", port: -1, protocol: "" }];
      for (const ep of slice.endpoints) {
        if (r.endpoint !== "" && r.endpoint !== ep.hostname.toLowerCase()) continue;
        for (const p of ports) {
          if (p.port !== -1 && !portMatches(r, p)) continue;
          if (p.port === -1 && (r.port !== "" || r.protocol !== "")) continue;
          matched = true;
          records.push({ owner: `${ep.hostname}.${owner}`, host: ep.address, port: p.port });
        }
      }
    }
    return matched ? { exists: true, records } : nameError;
  }
  for (const p of svc.ports) {
    if (!portMatches(r, p)) continue;
    matched = true;
    for (const ip of svc.clusterIPs) records.push({ owner, host: ip, port: p.port });
  }
  if (svc.ports.length === 0 && r.port === "" && r.protocol === "") {
    matched = true;
    for (const ip of svc.clusterIPs) records.push({ owner, host: ip, port: -1 });
  }
  return matched ? { exists: true, records } : nameError;
}

/** Records of `base` (the query name without the zone, lowercased) in `zone`. */
export function clusterRecords(index: DnsIndex, base: string, zone: string): RecordsResult {
  const parsed = parseRequest(base);
  if (!parsed.ok) return nameError;
  const r = parsed.request;
  if (r.podOrSvc === "") return { exists: true, records: [] };
  if (r.namespace === "") return { exists: true, records: [] };
  if (!index.hasNamespace(r.namespace)) return nameError;
  return r.podOrSvc === "pod" ? findPods(index, r, zone) : findServices(index, r, zone);
}

/** PTR targets for an address: the service it is the cluster IP of, else its endpoints. */
export function reverseRecords(index: DnsIndex, ip: string, zone: string): string[] {
  const services = index.servicesByIP(ip);
  if (services.length > 0) {
    const s = services[0]!;
    return [`${s.name}.${s.namespace}.svc.${zone}`];
  }
  return index
    .endpointsByIP(ip)
    .map(({ service, endpoint }) => {
      const [ns, name] = service.split("/") as [string, string];
      return `${endpoint.hostname}.${name}.${ns}.svc.${zone}`;
    })
    .filter((n, i, all) => all.indexOf(n) === i);
}
