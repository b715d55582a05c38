/**
 * The fixed part of the proxy's table, as upstream's nftables proxier lays it out: the hooked
 * base chains, the dispatch chains that look packets up in the verdict maps, masquerading, and
 * the filter checks that reject or drop traffic to services without usable endpoints.
 *
 * Priorities are numeric (nft 1.0.6 rejects `dstnat` on an ip-family output nat chain):
 * filter checks run at dstnat-10 (-110) so they see packets before DNAT, the ClusterIP check
 * after it at dstnat+10 (-90); nat at dstnat (-100) and srcnat (100).
 */
import type { IPFamily, NftChain, Ruleset } from "./ruleset.ts";

/** The masquerade mark bit (upstream's `0x4000`, shared with kube-proxy's iptables mode). */
export const masqueradeMark = "0x4000";

export const names = {
  serviceIPs: "service-ips",
  serviceNodePorts: "service-nodeports",
  noEndpointServices: "no-endpoint-services",
  noEndpointNodePorts: "no-endpoint-nodeports",
  firewallIPs: "firewall-ips",
  clusterIPs: "cluster-ips",
  markForMasquerade: "mark-for-masquerade",
  masquerading: "masquerading",
  services: "services",
  serviceEndpointsCheck: "service-endpoints-check",
  nodePortEndpointsCheck: "nodeport-endpoints-check",
  clusterIPsCheck: "cluster-ips-check",
  firewallCheck: "firewall-check",
  reject: "reject-chain",
} as const;

export interface FamilyWords {
  /** `ip` or `ip6` as a match prefix (`ip daddr`). */
  readonly ipx: string;
  readonly addrType: string;
  readonly localhost: string;
}

export const familyWords = (family: IPFamily): FamilyWords =>
  family === "ip"
    ? { ipx: "ip", addrType: "ipv4_addr", localhost: "127.0.0.0/8" }
    : { ipx: "ip6", addrType: "ipv6_addr", localhost: "::1" };

/** `a` or `{ a, b }`: an nft anonymous set when there is more than one value. */
export const oneOrSet = (values: readonly string[]) =>
  values.length === 1 ? values[0]! : `{ ${values.join(", ")} }`;

function chain(rs: Ruleset, c: NftChain): void {
  rs.chains.set(c.name, c);
}

/** Adds the skeleton to an empty ruleset. */
export function addSkeleton(rs: Ruleset, serviceCIDRs: readonly string[]): void {
  const w = familyWords(rs.family);
  const vipKey = `${w.addrType} . inet_proto . inet_service : verdict`;
  const portKey = "inet_proto . inet_service : verdict";
  const map = (name: string, type: string, comment: string) =>
    rs.maps.set(name, { name, type, comment, elements: new Map() });
  map(names.serviceIPs, vipKey, "ClusterIP, ExternalIP and LoadBalancer IP traffic");
  map(names.serviceNodePorts, portKey, "NodePort traffic");
  map(names.noEndpointServices, vipKey, "services without usable endpoints: drop or reject");
  map(names.noEndpointNodePorts, portKey, "node ports without usable endpoints: drop or reject");
  map(names.firewallIPs, vipKey, "destinations subject to loadBalancerSourceRanges");
  rs.sets.set(names.clusterIPs, {
    name: names.clusterIPs,
    type: w.addrType,
    comment: "Active ClusterIPs",
    elements: [],
  });

  const ctNew = (target: string) => `ct state new jump ${target}`;
  const base = (
    name: string,
    type: "nat" | "filter",
    hook: NonNullable<NftChain["base"]>["hook"],
    priority: number,
    rules: string[],
  ) => chain(rs, { name, base: { type, hook, priority }, rules });
  base("filter-prerouting", "filter", "prerouting", -110, [ctNew(names.firewallCheck)]);
  base("filter-input", "filter", "input", -110, [
    ctNew(names.nodePortEndpointsCheck),
    ctNew(names.serviceEndpointsCheck),
  ]);
  base("filter-forward", "filter", "forward", -110, [
    ctNew(names.serviceEndpointsCheck),
    ctNew(names.clusterIPsCheck),
  ]);
  base("filter-output", "filter", "output", -110, [
    ctNew(names.serviceEndpointsCheck),
    ctNew(names.firewallCheck),
  ]);
  base("filter-output-post-dnat", "filter", "output", -90, [ctNew(names.clusterIPsCheck)]);
  base("nat-prerouting", "nat", "prerouting", -100, [`jump ${names.services}`]);
  base("nat-output", "nat", "output", -100, [`jump ${names.services}`]);
  base("nat-postrouting", "nat", "postrouting", 100, [`jump ${names.masquerading}`]);

  const notLocalhost = `${w.ipx} daddr != ${w.localhost}`;
  const regular = (name: string, rules: string[]) => chain(rs, { name, rules });
  regular(names.markForMasquerade, [`meta mark set meta mark | ${masqueradeMark}`]);
  regular(names.masquerading, [
    `meta mark & ${masqueradeMark} == 0 return`,
    `meta mark set meta mark ^ ${masqueradeMark}`,
    "masquerade fully-random",
  ]);
  regular(names.services, [
    `${w.ipx} daddr . meta l4proto . th dport vmap @${names.serviceIPs}`,
    `fib daddr type local ${notLocalhost} meta l4proto . th dport vmap @${names.serviceNodePorts}`,
  ]);
  regular(names.serviceEndpointsCheck, [
    `${w.ipx} daddr . meta l4proto . th dport vmap @${names.noEndpointServices}`,
  ]);
  regular(names.nodePortEndpointsCheck, [
    `${notLocalhost} meta l4proto . th dport vmap @${names.noEndpointNodePorts}`,
  ]);
  regular(names.firewallCheck, [
    `${w.ipx} daddr . meta l4proto . th dport vmap @${names.firewallIPs}`,
  ]);
  const clusterIPsCheck = [
    `${w.ipx} daddr @${names.clusterIPs} reject comment "Reject traffic to invalid ports of ClusterIPs"`,
  ];
  if (serviceCIDRs.length > 0) {
    clusterIPsCheck.push(
      `${w.ipx} daddr ${oneOrSet(serviceCIDRs)} drop comment "Drop traffic to unallocated ClusterIPs"`,
    );
  }
  regular(names.clusterIPsCheck, clusterIPsCheck);
  regular(names.reject, ["reject"]);
}
