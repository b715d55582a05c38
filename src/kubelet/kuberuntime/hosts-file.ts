/**
 * The /etc/hosts the kubelet writes for each pod and mounts into every container (upstream
 * `managedHostsFileContent`): localhost entries, the pod's IP with its hostname (and FQDN when it
 * has a subdomain), then hostAliases. Host-network pods get the node's own file plus aliases.
 */
import type { Pod } from "../pod-source.ts";

const header = `# Kubernetes-managed hosts file.
127.0.0.1\tlocalhost
::1\tlocalhost ip6-localhost ip6-loopback
fe00::0\tip6-localnet
fe00::0\tip6-mcastprefix
fe00::1\tip6-allnodes
fe00::2\tip6-allrouters
`;

function aliases(pod: Pod): string {
  const list = pod.spec?.hostAliases ?? [];
  if (list.length === 0) return "";
  return `\n# Entries added by HostAliases.\n${list
    .map((a) => `${a.ip}\t${(a.hostnames ?? []).join("\t")}`)
    .join("\n")}\n`;
}

export function podHostname(pod: Pod): string {
  return (pod.spec?.hostname || pod.metadata?.name || "").slice(0, 63).replace(/[-.]+$/, "");
}

export function hostsFileContent(
  pod: Pod,
  options: { podIP: string; clusterDomain: string; hostFile?: string },
): string {
  if (pod.spec?.hostNetwork) {
    return `# Kubernetes-managed hosts file (host network).\n${options.hostFile ?? ""}${aliases(pod)}`;
  }
  const name = podHostname(pod);
  const sub = pod.spec?.subdomain;
  const ns = pod.metadata?.namespace ?? "default";
  const line = sub
    ? `${options.podIP}\t${name}.${sub}.${ns}.svc.${options.clusterDomain}\t${name}\n`
    : `${options.podIP}\t${name}\n`;
  return header + line + aliases(pod);
}
