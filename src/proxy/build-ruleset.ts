/**
 * The proxy's one pure function: Services + EndpointSlices + this node's facts → the nftables
 * table (upstream's nftables `syncProxyRules`, rendered as a whole). Per service port:
 *
 * - `service-…` (Cluster policy): masquerade sources outside the pod CIDRs, ClientIP affinity
 *   lookups, then `numgen random` over the endpoints `topology.ts` picks for this node.
 * - `local-…` (Local policies): the same over this node's endpoints, without masquerade.
 * - `external-…` (NodePort, LoadBalancer IPs, externalIPs): masquerade and go to the Cluster
 *   chain; with externalTrafficPolicy Local keep the client's address, short-circuit pods and
 *   the node itself to the Cluster chain, others go to the Local chain.
 * - `endpoint-…`: hairpin masquerade, affinity update, DNAT.
 * - `firewall-…`: loadBalancerSourceRanges.
 * Ports without usable endpoints get `no-endpoint-*` entries: reject when the service has no
 * endpoints at all, drop when only a Local policy finds none on this node.
 */
import type { EndpointSlice, Service } from "../api/generated/types.ts";
import {
  affinitySetName,
  clusterChainName,
  endpointChainName,
  externalChainName,
  firewallChainName,
  localChainName,
} from "./chain-names.ts";
import { emptyRuleset, type IPFamily, type Ruleset, rulesetText } from "./ruleset.ts";
import {
  collectServicePorts,
  type EndpointInfo,
  externallyAccessible,
  type ServicePortInfo,
} from "./service-ports.ts";
import { addSkeleton, type FamilyWords, familyWords, names, oneOrSet } from "./table-skeleton.ts";
import { categorizeEndpoints, usesClusterEndpoints, usesLocalEndpoints } from "./topology.ts";

/** What the rules depend on besides Services and EndpointSlices. */
export interface NodeState {
  readonly name: string;
  /** `topology.kubernetes.io/zone`, for `trafficDistribution: PreferSameZone`. */
  readonly zone?: string;
  /**
   * Sources inside these are pods (upstream's local-traffic detector: the cluster CIDR, or this
   * node's pod CIDR). Empty: no detection, so no masquerade of off-cluster ClusterIP traffic
   * and no pod short-circuit for Local external traffic.
   */
  readonly podCIDRs: readonly string[];
  /** This node's addresses (loadBalancerSourceRanges that include the node also admit the LB IPs). */
  readonly nodeIPs?: readonly string[];
  /** Traffic to addresses here that are no ClusterIP is dropped; empty: not done. */
  readonly serviceCIDRs?: readonly string[];
  /**
   * The whole pod network (every node's pod CIDR). Pod traffic to anywhere outside it (the node
   * LAN, the host, the internet) is masqueraded to the node's address as it leaves; pod to pod
   * stays unNATed. Upstream leaves this to the network plugin (flannel's ip-masq rules, kubenet's
   * `--non-masquerade-cidr`). Empty or absent: not done.
   */
  readonly clusterCIDRs?: readonly string[];
}

export interface BuildOptions {
  readonly family?: IPFamily;
  /** Table name (default `bosun-proxy`). */
  readonly table?: string;
}

export const defaultTable = "bosun-proxy";

const proto = (sp: ServicePortInfo) => sp.protocol.toLowerCase();
const vipKey = (ip: string, sp: ServicePortInfo) => `${ip} . ${proto(sp)} . ${sp.port}`;
const nodePortKey = (sp: ServicePortInfo) => `${proto(sp)} . ${sp.nodePort}`;
const dnatTarget = (ep: EndpointInfo, family: IPFamily) =>
  family === "ip" ? `${ep.ip}:${ep.port}` : `[${ep.ip}]:${ep.port}`;

export function buildRuleset(
  services: readonly Service[],
  slices: readonly EndpointSlice[],
  node: NodeState,
  options: BuildOptions = {},
): Ruleset {
  const ports = collectServicePorts(services, slices, options.family ?? "ip");
  return rulesetFromPorts(ports, node, options);
}

/** `buildRuleset` from service ports already collected (the proxier reuses them). */
export function rulesetFromPorts(
  ports: readonly ServicePortInfo[],
  node: NodeState,
  options: BuildOptions = {},
): Ruleset {
  const family = options.family ?? "ip";
  const rs = emptyRuleset(family, options.table ?? defaultTable);
  const inFamily = (cidr: string) => (family === "ip6") === cidr.includes(":");
  addSkeleton(rs, (node.serviceCIDRs ?? []).filter(inFamily));
  addEgressMasquerade(rs, (node.clusterCIDRs ?? []).filter(inFamily));
  const ctx: PortContext = {
    rs,
    w: familyWords(family),
    node,
    podCIDRs: node.podCIDRs.filter(inFamily),
  };
  const clusterIPs = new Set<string>();
  for (const sp of ports) {
    clusterIPs.add(sp.clusterIP);
    addServicePort(ctx, sp);
  }
  rs.sets.get(names.clusterIPs)!.elements!.push(...[...clusterIPs].sort());
  return rs;
}

/**
 * Pod traffic leaving the pod network gets the node's address (after DNAT, so a ClusterIP whose
 * endpoint is a node address, as the API server's, is covered too); multicast is left alone.
 */
function addEgressMasquerade(rs: Ruleset, clusterCIDRs: readonly string[]): void {
  if (clusterCIDRs.length === 0) return;
  const w = familyWords(rs.family);
  const pods = oneOrSet(clusterCIDRs);
  const multicast = rs.family === "ip" ? "224.0.0.0/4" : "ff00::/8";
  rs.chains
    .get("nat-postrouting")!
    .rules.push(
      `${w.ipx} saddr ${pods} ${w.ipx} daddr != ${pods} ${w.ipx} daddr != ${multicast} masquerade fully-random comment "pod traffic leaving the pod network"`,
    );
}

/** `buildRuleset` printed as one atomic `nft -f` file. */
export function renderRuleset(
  services: readonly Service[],
  slices: readonly EndpointSlice[],
  node: NodeState,
  options: BuildOptions = {},
): string {
  return rulesetText(buildRuleset(services, slices, node, options));
}

interface PortContext {
  readonly rs: Ruleset;
  readonly w: FamilyWords;
  readonly node: NodeState;
  readonly podCIDRs: readonly string[];
}

function addServicePort(ctx: PortContext, sp: ServicePortInfo): void {
  const { rs } = ctx;
  const { cluster, local, hasAny } = categorizeEndpoints(sp, ctx.node);
  const clusterChain = clusterChainName(sp);
  const localChain = localChainName(sp);
  const usesClusterChain = cluster.length > 0 && usesClusterEndpoints(sp);
  const usesLocalChain = local.length > 0 && usesLocalEndpoints(sp);
  const internalChain = sp.internalPolicyLocal ? localChain : clusterChain;
  const hasInternal = sp.internalPolicyLocal ? local.length > 0 : hasAny;
  const externalPolicyChain = sp.externalPolicyLocal ? localChain : clusterChain;
  const hasExternal = sp.externalPolicyLocal ? local.length > 0 : hasAny;
  const externalChain = externalChainName(sp);
  const usesExternalChain = hasAny && externallyAccessible(sp);
  const internalVerdict = hasAny ? "drop" : `goto ${names.reject}`;
  const externalVerdict = internalVerdict;

  const serviceIPs = rs.maps.get(names.serviceIPs)!.elements;
  const noEndpoints = rs.maps.get(names.noEndpointServices)!.elements;
  if (hasInternal) serviceIPs.set(vipKey(sp.clusterIP, sp), `goto ${internalChain}`);
  else noEndpoints.set(vipKey(sp.clusterIP, sp), internalVerdict);

  for (const ip of [...sp.externalIPs, ...sp.loadBalancerIPs]) {
    if (hasAny) serviceIPs.set(vipKey(ip, sp), `goto ${externalChain}`);
    if (!hasExternal) noEndpoints.set(vipKey(ip, sp), externalVerdict);
  }
  if (sp.loadBalancerIPs.length > 0 && sp.loadBalancerSourceRanges.length > 0) {
    addFirewall(ctx, sp);
  }
  if (sp.nodePort !== 0) {
    if (hasAny) {
      rs.maps.get(names.serviceNodePorts)!.elements.set(nodePortKey(sp), `goto ${externalChain}`);
    }
    if (!hasExternal) {
      rs.maps.get(names.noEndpointNodePorts)!.elements.set(nodePortKey(sp), externalVerdict);
    }
  }

  if (usesExternalChain) {
    const rules: string[] = [];
    if (!sp.externalPolicyLocal) {
      // Cluster policy may send it to another node: masquerade so replies come back here.
      rules.push(`jump ${names.markForMasquerade}`);
    } else {
      if (ctx.podCIDRs.length > 0) {
        rules.push(
          `${ctx.w.ipx} saddr ${oneOrSet(ctx.podCIDRs)} goto ${clusterChain} comment "short-circuit pod traffic"`,
        );
      }
      rules.push(
        `fib saddr type local jump ${names.markForMasquerade} comment "masquerade local traffic"`,
        `fib saddr type local goto ${clusterChain} comment "short-circuit local traffic"`,
      );
    }
    if (hasExternal) rules.push(`goto ${externalPolicyChain}`);
    rs.chains.set(externalChain, { name: externalChain, rules });
  }

  if (usesClusterChain) {
    const rules: string[] = [];
    if (ctx.podCIDRs.length > 0) {
      // Off-cluster sources reaching a ClusterIP (a route to the service CIDR via this node).
      rules.push(
        `${ctx.w.ipx} daddr ${sp.clusterIP} ${proto(sp)} dport ${sp.port} ${ctx.w.ipx} saddr != ${oneOrSet(ctx.podCIDRs)} jump ${names.markForMasquerade}`,
      );
    }
    rules.push(...loadBalancing(ctx, sp, cluster));
    rs.chains.set(clusterChain, { name: clusterChain, rules });
  }
  if (usesLocalChain) {
    rs.chains.set(localChain, { name: localChain, rules: loadBalancing(ctx, sp, local) });
  }
  const reachable = new Map<string, EndpointInfo>();
  for (const ep of [...(usesClusterChain ? cluster : []), ...(usesLocalChain ? local : [])]) {
    reachable.set(`${ep.ip}:${ep.port}`, ep);
  }
  for (const ep of reachable.values()) addEndpoint(ctx, sp, ep);
}

/** Affinity lookups (one per endpoint), then a random pick among the endpoints. */
function loadBalancing(
  ctx: PortContext,
  sp: ServicePortInfo,
  endpoints: readonly EndpointInfo[],
): string[] {
  const rules: string[] = [];
  if (sp.affinitySeconds !== undefined) {
    for (const ep of endpoints) {
      rules.push(
        `${ctx.w.ipx} saddr @${affinitySetName(sp, ep)} goto ${endpointChainName(sp, ep)}`,
      );
    }
  }
  const targets = endpoints.map((ep, i) => `${i} : goto ${endpointChainName(sp, ep)}`);
  rules.push(`numgen random mod ${endpoints.length} vmap { ${targets.join(", ")} }`);
  return rules;
}

function addEndpoint(ctx: PortContext, sp: ServicePortInfo, ep: EndpointInfo): void {
  const { rs, w } = ctx;
  const name = endpointChainName(sp, ep);
  // Hairpin: a pod reaching itself through the service must see the reply come from the VIP.
  const rules = [`${w.ipx} saddr ${ep.ip} jump ${names.markForMasquerade}`];
  if (sp.affinitySeconds !== undefined) {
    const set = affinitySetName(sp, ep);
    rs.sets.set(set, {
      name: set,
      type: w.addrType,
      // "dynamic" is needed for the packet path to add to it (upstream's note on RHEL 8).
      flags: ["dynamic", "timeout"],
      timeoutSeconds: sp.affinitySeconds,
    });
    rules.push(`update @${set} { ${w.ipx} saddr }`);
  }
  rules.push(`meta l4proto ${proto(sp)} dnat to ${dnatTarget(ep, rs.family)}`);
  rs.chains.set(name, { name, rules });
}

function addFirewall(ctx: PortContext, sp: ServicePortInfo): void {
  const name = firewallChainName(sp);
  const sources = [...sp.loadBalancerSourceRanges];
  // A node whose own address is allowed may reach the LB IPs as themselves (upstream).
  if ((ctx.node.nodeIPs ?? []).some((ip) => sources.some((cidr) => cidrContains(cidr, ip)))) {
    sources.push(...sp.loadBalancerIPs);
  }
  for (const ip of sp.loadBalancerIPs) {
    ctx.rs.maps.get(names.firewallIPs)!.elements.set(vipKey(ip, sp), `goto ${name}`);
  }
  ctx.rs.chains.set(name, {
    name,
    rules: [`${ctx.w.ipx} saddr != { ${sources.join(", ")} } drop`],
  });
}

/** IPv4 containment (IPv6 ranges only match their exact address). */
function cidrContains(cidr: string, ip: string): boolean {
  const [net, bitsText] = cidr.split("/");
  if (!net || net.includes(":") || ip.includes(":")) return net === ip;
  const bits = bitsText === undefined ? 32 : Number(bitsText);
  const toInt = (s: string) => s.split(".").reduce((n, o) => ((n << 8) | Number(o)) >>> 0, 0);
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  return (toInt(net) & mask) >>> 0 === (toInt(ip) & mask) >>> 0;
}
