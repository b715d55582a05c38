/**
 * Answers a question about the cluster zone (`cluster.local` and the reverse zones) from the
 * index, as CoreDNS's kubernetes plugin does: address records owned by the question name, SRV
 * with their targets' addresses in the additional section, ExternalName as a CNAME to chase,
 * NXDOMAIN for names that do not exist and NODATA (NOERROR, no answers) for names that exist
 * without records of the asked type, both with the zone's SOA. Reverse names the index does not
 * know fall through to the forwarder.
 */
import { isIPv4, isIPv6 } from "node:net";
import { type ClusterRecord, clusterRecords, reverseRecords } from "./cluster-records.ts";
import type { DnsIndex } from "./dns-index.ts";
import { addressFromReverse, isReverseName } from "./ip-text.ts";
import { type Question, Rcode, type ResourceRecord, RRType } from "./message.ts";

export interface ZoneOptions {
  /** The cluster domain, e.g. `cluster.local` (no trailing dot). */
  readonly zone: string;
  /** TTL of every answer (CoreDNS kubernetes default: 5). */
  readonly ttl: number;
  /** Addresses of the cluster DNS service (`ns.dns.<zone>`). */
  readonly dnsIPs: readonly string[];
}

export interface ZoneAnswer {
  readonly rcode: number;
  readonly answers: ResourceRecord[];
  readonly authorities: ResourceRecord[];
  readonly additionals: ResourceRecord[];
  /** An ExternalName target the answer's CNAME points at, to resolve further. */
  readonly chase?: string;
}

/** The Kubernetes DNS schema version (`dns-version.<zone>` TXT). */
export const dnsSchemaVersion = "1.1.0";

const endsWithLabel = (name: string, zone: string) => name === zone || name.endsWith(`.${zone}`);

/** Whether the zone is authoritative for `name` (lowercased, no trailing dot). */
export function inClusterZone(name: string, zone: string): boolean {
  return endsWithLabel(name, zone) || isReverseName(name);
}

function soa(index: DnsIndex, zone: string, o: ZoneOptions): ResourceRecord {
  return {
    name: zone,
    type: "SOA",
    ttl: Math.min(o.ttl, 300),
    mname: `ns.dns.${zone}`,
    rname: `hostmaster.${zone}`,
    serial: index.serial,
    refresh: 7200,
    retry: 1800,
    expire: 86400,
    minimum: o.ttl,
  };
}

function addressRecord(owner: string, ip: string, ttl: number): ResourceRecord | undefined {
  if (isIPv4(ip)) return { name: owner, type: "A", ttl, address: ip };
  if (isIPv6(ip)) return { name: owner, type: "AAAA", ttl, address: ip };
  return undefined;
}

const isAddress = (host: string) => isIPv4(host) || isIPv6(host);

function srvAnswer(qname: string, records: readonly ClusterRecord[], ttl: number) {
  const answers: ResourceRecord[] = [];
  const additionals: ResourceRecord[] = [];
  const seen = new Set<string>();
  const addresses = records.filter((r) => isAddress(r.host));
  const weight = Math.max(1, Math.floor(100 / Math.max(1, addresses.length)));
  for (const r of addresses) {
    if (r.port === -1) continue;
    const srvKey = `${r.owner}|${r.port}`;
    if (!seen.has(srvKey)) {
      seen.add(srvKey);
      answers.push({
        name: qname,
        type: "SRV",
        ttl,
        priority: 0,
        weight,
        port: r.port,
        target: r.owner,
      });
    }
    const addrKey = `${r.owner}|${r.host}`;
    if (!seen.has(addrKey)) {
      seen.add(addrKey);
      const rr = addressRecord(r.owner, r.host, ttl);
      if (rr) additionals.push(rr);
    }
  }
  return { answers, additionals };
}

function forType(q: Question, qname: string, records: readonly ClusterRecord[], ttl: number) {
  const answers: ResourceRecord[] = [];
  let chase: string | undefined;
  switch (q.type) {
    case RRType.A:
    case RRType.AAAA: {
      const seen = new Set<string>();
      for (const r of records) {
        if (!isAddress(r.host)) {
          if (answers.length === 0 && chase === undefined) {
            answers.push({ name: qname, type: "CNAME", ttl, target: r.host });
            chase = r.host;
          }
          continue;
        }
        if ((q.type === RRType.A) !== isIPv4(r.host) || seen.has(r.host)) continue;
        seen.add(r.host);
        answers.push(addressRecord(qname, r.host, ttl)!);
      }
      break;
    }
    case RRType.CNAME:
      for (const r of records) {
        if (!isAddress(r.host)) answers.push({ name: qname, type: "CNAME", ttl, target: r.host });
      }
      break;
  }
  return { answers, ...(chase !== undefined ? { chase } : {}) };
}

function negative(index: DnsIndex, zone: string, o: ZoneOptions, rcode: number): ZoneAnswer {
  return { rcode, answers: [], authorities: [soa(index, zone, o)], additionals: [] };
}

/**
 * The answer to `q` (whose name is in the zone or a reverse zone), or undefined when a reverse
 * name is not the cluster's and the question should be forwarded.
 */
export function answerClusterQuestion(
  index: DnsIndex,
  q: Question,
  o: ZoneOptions,
): ZoneAnswer | undefined {
  const qname = q.name.replace(/\.$/, "");
  const lower = qname.toLowerCase();
  const ttl = o.ttl;
  if (!endsWithLabel(lower, o.zone)) {
    if (q.type !== RRType.PTR) return undefined;
    const ip = addressFromReverse(lower);
    const targets = ip ? reverseRecords(index, ip, o.zone) : [];
    if (targets.length === 0) return undefined;
    return {
      rcode: Rcode.NoError,
      answers: targets.map((target) => ({ name: qname, type: "PTR", ttl, target })),
      authorities: [],
      additionals: [],
    };
  }
  const zone = qname.slice(qname.length - o.zone.length);
  const base = lower.length === o.zone.length ? "" : lower.slice(0, -o.zone.length - 1);
  const ok = (answers: ResourceRecord[], additionals: ResourceRecord[] = []): ZoneAnswer =>
    answers.length === 0
      ? negative(index, zone, o, Rcode.NoError)
      : { rcode: Rcode.NoError, answers, authorities: [], additionals };

  if (q.type === RRType.AXFR || q.type === RRType.IXFR) {
    return { rcode: Rcode.Refused, answers: [], authorities: [], additionals: [] };
  }
  if (base === "") {
    if (q.type === RRType.SOA) return ok([soa(index, zone, o)]);
    if (q.type === RRType.NS) {
      const ns = `ns.dns.${zone}`;
      const glue = o.dnsIPs.map((ip) => addressRecord(ns, ip, ttl)).filter((r) => r !== undefined);
      return ok([{ name: qname, type: "NS", ttl, target: ns }], glue);
    }
    return ok([]);
  }
  if (base === "dns-version" && q.type === RRType.TXT) {
    return ok([{ name: qname, type: "TXT", ttl: 28800, text: [dnsSchemaVersion] }]);
  }
  if (base === "ns.dns" && (q.type === RRType.A || q.type === RRType.AAAA)) {
    const want = q.type === RRType.A ? isIPv4 : isIPv6;
    return ok(o.dnsIPs.filter((ip) => want(ip)).map((ip) => addressRecord(qname, ip, ttl)!));
  }
  const result = clusterRecords(index, base, zone);
  if (!result.exists) return negative(index, zone, o, Rcode.NXDomain);
  if (q.type === RRType.SRV) {
    const internal = result.records.filter((r) => isAddress(r.host));
    const srv = srvAnswer(qname, internal, ttl);
    return ok(srv.answers, srv.additionals);
  }
  const { answers, chase } = forType(q, qname, result.records, ttl);
  if (answers.length === 0) return negative(index, zone, o, Rcode.NoError);
  return {
    rcode: Rcode.NoError,
    answers,
    authorities: [],
    additionals: [],
    ...(chase !== undefined ? { chase } : {}),
  };
}
