/**
 * A pod's resolver configuration (upstream `pkg/kubelet/network/dns`): ClusterFirst pods use the
 * cluster DNS server with `<ns>.svc.<domain>`, `svc.<domain>`, `<domain>` and the host's search
 * domains and `ndots:5`; Default pods (and ClusterFirst on the host network) use the node's
 * resolv.conf; None uses only `dnsConfig`, which is merged into the others.
 */
import type { DNSConfig } from "../cri/types.ts";
import type { Pod } from "../pod-source.ts";

export interface ClusterDNS {
  /** Cluster DNS server addresses; empty falls back to the host's resolvers. */
  readonly servers: readonly string[];
  readonly domain: string;
  /** The node's resolv.conf, parsed. */
  readonly host: Required<DNSConfig>;
}

export function parseResolvConf(text: string): Required<DNSConfig> {
  const out: Required<DNSConfig> = { servers: [], searches: [], options: [] };
  for (const raw of text.split("\n")) {
    const [key, ...fields] = raw
      .replace(/[#;].*$/, "")
      .trim()
      .split(/\s+/);
    if (key === "nameserver" && fields[0]) out.servers.push(fields[0]);
    else if (key === "search") out.searches = fields.filter((f) => f !== ".");
    else if (key === "options") out.options.push(...fields);
  }
  return out;
}

const maxSearches = 32;

export function podDNSConfig(pod: Pod, dns: ClusterDNS): DNSConfig {
  const policy = pod.spec?.dnsPolicy ?? "ClusterFirst";
  const hostNetwork = Boolean(pod.spec?.hostNetwork);
  let base: Required<DNSConfig>;
  if (policy === "None") base = { servers: [], searches: [], options: [] };
  else if (
    dns.servers.length > 0 &&
    (policy === "ClusterFirstWithHostNet" || (policy === "ClusterFirst" && !hostNetwork))
  ) {
    const ns = pod.metadata?.namespace ?? "default";
    base = {
      servers: [...dns.servers],
      searches: [`${ns}.svc.${dns.domain}`, `svc.${dns.domain}`, dns.domain, ...dns.host.searches],
      options: ["ndots:5"],
    };
  } else {
    base = {
      servers: [...dns.host.servers],
      searches: [...dns.host.searches],
      options: [...dns.host.options],
    };
  }
  const extra = pod.spec?.dnsConfig;
  if (extra) {
    base.servers = [...new Set([...base.servers, ...(extra.nameservers ?? [])])];
    base.searches = [...new Set([...base.searches, ...(extra.searches ?? [])])];
    const options = new Map(base.options.map((o) => [o.split(":")[0]!, o]));
    for (const o of extra.options ?? []) {
      if (o.name) options.set(o.name, o.value !== undefined ? `${o.name}:${o.value}` : o.name);
    }
    base.options = [...options.values()];
  }
  base.searches = base.searches.slice(0, maxSearches);
  return base;
}
