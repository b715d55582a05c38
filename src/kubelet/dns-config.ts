/**
 * A pod's resolv.conf, as the kubelet forms it (upstream `pkg/kubelet/network/dns`): a pure
 * function from the pod, the node's DNS settings and the host's resolv.conf to CRI's DNSConfig
 * (`servers`, `searches`, `options`) plus the warnings the kubelet records as `DNSConfigForming`
 * events.
 *
 * - ClusterFirst (not hostNetwork) and ClusterFirstWithHostNet: the cluster DNS servers, search
 *   `<ns>.svc.<domain> svc.<domain> <domain>` then the host's searches, `options ndots:5`.
 *   Without cluster DNS configured the pod falls back to Default, with a warning.
 * - ClusterFirst with hostNetwork, and Default: the host's servers, searches and options.
 * - None: nothing but `dnsConfig`.
 * - `dnsConfig` is merged in: nameservers and searches appended without duplicates, options
 *   replacing same-named ones.
 * - Limits: 3 nameservers, 32 search domains, 2048 characters of search line, no search domain
 *   over 253 characters.
 */
import type { Pod, PodDNSConfigOption } from "../api/generated/types.ts";
import type { ResolvConf } from "../machinery/resolv-conf.ts";

/** CRI `DNSConfig`. */
export interface DnsConfig {
  readonly servers: readonly string[];
  readonly searches: readonly string[];
  readonly options: readonly string[];
}

export interface NodeDnsSettings {
  /** Cluster DNS service addresses (kubelet `clusterDNS`, here 10.96.0.10). */
  readonly clusterDNS: readonly string[];
  /** Kubelet `clusterDomain` (cluster.local); "" for none. */
  readonly clusterDomain: string;
  /** The host's resolv.conf (`--resolv-conf`), or undefined when set to "" (no host DNS). */
  readonly hostResolvConf: ResolvConf | undefined;
  /** The node's addresses (for the loopback servers used when there is no host resolv.conf). */
  readonly nodeIPs?: readonly string[];
}

export interface PodDnsResult {
  readonly config: DnsConfig;
  /** Messages of the `DNSConfigForming` warning events to record on the pod. */
  readonly warnings: readonly string[];
}

export const maxDNSNameservers = 3;
export const maxDNSSearchPaths = 32;
export const maxDNSSearchListChars = 2048;
const maxSearchDomainLength = 253;

const omitDuplicates = (items: readonly string[]) => [...new Set(items)];

function hostConfig(s: NodeDnsSettings): DnsConfig {
  if (!s.hostResolvConf) {
    const ips = s.nodeIPs ?? [];
    const servers = omitDuplicates(ips.map((ip) => (ip.includes(":") ? "::1" : "127.0.0.1")));
    return { servers: servers.length > 0 ? servers : ["127.0.0.1"], searches: ["."], options: [] };
  }
  const searches = s.hostResolvConf.searches
    .filter((d) => d !== ".")
    .map((d) => d.replace(/\.$/, ""));
  return {
    servers: [...s.hostResolvConf.nameservers],
    searches: omitDuplicates(searches),
    options: [...s.hostResolvConf.options],
  };
}

/** `name[:value]` options; a later option of the same name replaces an earlier one. */
function mergeOptions(existing: readonly string[], extra: readonly PodDNSConfigOption[]): string[] {
  const byName = new Map<string, string>();
  for (const op of existing) {
    const i = op.indexOf(":");
    byName.set(i < 0 ? op : op.slice(0, i), op);
  }
  for (const op of extra) {
    if (!op.name) continue;
    byName.set(
      op.name,
      op.value !== undefined && op.value !== "" ? `${op.name}:${op.value}` : op.name,
    );
  }
  return [...byName.values()];
}

function fitSearches(searches: string[], warnings: string[]): string[] {
  let exceeded = false;
  let out = searches;
  if (out.length > maxDNSSearchPaths) {
    out = out.slice(0, maxDNSSearchPaths);
    exceeded = true;
  }
  const short = out.filter((d) => d.length <= maxSearchDomainLength);
  if (short.length !== out.length) exceeded = true;
  out = short;
  const lineLength = out.join(" ").length;
  if (lineLength > maxDNSSearchListChars) {
    let cut = 0;
    let cutLength = 0;
    for (let i = out.length - 1; i >= 0; i--) {
      cutLength += out[i]!.length + 1;
      cut++;
      if (lineLength - cutLength <= maxDNSSearchListChars) break;
    }
    out = out.slice(0, out.length - cut);
    exceeded = true;
  }
  if (exceeded) {
    warnings.push(
      `Search Line limits were exceeded, some search paths have been omitted, the applied search line is: ${out.join(" ")}`,
    );
  }
  return out;
}

/** The DNS configuration of `pod`'s sandbox on a node with settings `s`. */
export function podDnsConfig(pod: Pod, s: NodeDnsSettings): PodDnsResult {
  const spec = pod.spec;
  const warnings: string[] = [];
  const policy = spec?.dnsPolicy ?? "ClusterFirst";
  let kind: "cluster" | "host" | "none";
  if (policy === "None") kind = "none";
  else if (policy === "Default") kind = "host";
  else if (policy === "ClusterFirstWithHostNet") kind = "cluster";
  else kind = spec?.hostNetwork ? "host" : "cluster";
  if (kind === "cluster" && s.clusterDNS.length === 0) {
    warnings.push(
      `pod: "${pod.metadata?.name}_${pod.metadata?.namespace}(${pod.metadata?.uid ?? ""})". kubelet does not have ClusterDNS IP configured and cannot create Pod using "ClusterFirst" policy. Falling back to "Default" policy.`,
    );
    kind = "host";
  }
  let config: DnsConfig = { servers: [], searches: [], options: [] };
  if (kind !== "none") config = hostConfig(s);
  if (kind === "cluster") {
    const ns = pod.metadata?.namespace ?? "default";
    const domain = s.clusterDomain;
    const clusterSearch = domain ? [`${ns}.svc.${domain}`, `svc.${domain}`, domain] : [];
    config = {
      servers: [...s.clusterDNS],
      searches: omitDuplicates([...clusterSearch, ...config.searches]),
      options: ["ndots:5"],
    };
  }
  const extra = spec?.dnsConfig;
  if (extra) {
    config = {
      servers: omitDuplicates([...config.servers, ...(extra.nameservers ?? [])]),
      searches: omitDuplicates([...config.searches, ...(extra.searches ?? [])]),
      options: mergeOptions(config.options, extra.options ?? []),
    };
  }
  let servers = [...config.servers];
  if (servers.length > maxDNSNameservers) {
    servers = servers.slice(0, maxDNSNameservers);
    warnings.push(
      `Nameserver limits were exceeded, some nameservers have been omitted, the applied nameserver line is: ${servers.join(" ")}`,
    );
  }
  return {
    config: {
      servers,
      searches: fitSearches([...config.searches], warnings),
      options: config.options,
    },
    warnings,
  };
}

/** The text of a resolv.conf for `config` (for runtimes that write the file themselves). */
export function formatResolvConf(config: DnsConfig): string {
  const lines = config.servers.map((s) => `nameserver ${s}`);
  if (config.searches.length > 0) lines.push(`search ${config.searches.join(" ")}`);
  if (config.options.length > 0) lines.push(`options ${config.options.join(" ")}`);
  return `${lines.join("\n")}\n`;
}
