/**
 * resolv.conf(5) as the resolver reads it: `nameserver`, `search` (the last `search` or `domain`
 * line wins), `options`. Used by cluster DNS (which resolvers to forward to) and the kubelet (what
 * pods with dnsPolicy Default or ClusterFirst inherit from the host).
 */
import { existsSync, readFileSync } from "node:fs";

export interface ResolvConf {
  readonly nameservers: readonly string[];
  readonly searches: readonly string[];
  /** `ndots:5`, `edns0`… as written. */
  readonly options: readonly string[];
}

export function parseResolvConf(text: string): ResolvConf {
  const nameservers: string[] = [];
  let searches: string[] = [];
  const options: string[] = [];
  for (const raw of text.split("\n")) {
    const line = raw.replace(/[#;].*$/, "").trim();
    if (!line) continue;
    const [keyword, ...fields] = line.split(/\s+/);
    if (keyword === "nameserver" && fields[0]) nameservers.push(fields[0]);
    else if (keyword === "search" || keyword === "domain") searches = fields;
    else if (keyword === "options") options.push(...fields);
  }
  return { nameservers, searches, options };
}

const isLoopback = (ip: string) => ip.startsWith("127.") || ip === "::1";

/**
 * The host resolv.conf worth handing on: `/etc/resolv.conf`, unless every nameserver in it is a
 * loopback stub (systemd-resolved's 127.0.0.53) and systemd's own list exists, as the kubelet's
 * `--resolv-conf` is usually set on such hosts (k3s does the same).
 */
export function hostResolvConfPath(
  candidates: { etc: string; systemd: string } = {
    etc: "/etc/resolv.conf",
    systemd: "/run/systemd/resolve/resolv.conf",
  },
): string {
  try {
    const etc = parseResolvConf(readFileSync(candidates.etc, "utf8"));
    if (etc.nameservers.length > 0 && etc.nameservers.every(isLoopback)) {
      if (existsSync(candidates.systemd)) return candidates.systemd;
    }
  } catch {
    // fall through: the caller reports a missing file when it reads it
  }
  return candidates.etc;
}
