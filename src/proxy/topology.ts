/**
 * Which endpoints a node sends a service port's traffic to (upstream `CategorizeEndpoints`,
 * pkg/proxy/topology.go), with Bosun's locality in place of topology hints:
 *
 * - Cluster policy: ready endpoints; with `node` locality only this node's ready endpoints when
 *   it has any (`zone`: those of this node's zone), else every ready endpoint. With no ready
 *   endpoint anywhere, serving-and-terminating ones (upstream's graceful termination).
 * - Local policy (internalTrafficPolicy or externalTrafficPolicy Local): this node's ready
 *   endpoints, or when it has none, its serving-and-terminating ones.
 */
import type { EndpointInfo, ServicePortInfo } from "./service-ports.ts";
import { externallyAccessible } from "./service-ports.ts";

export interface NodeTopology {
  readonly name: string;
  /** `topology.kubernetes.io/zone` of this node, for `PreferSameZone`. */
  readonly zone?: string;
}

export interface CategorizedEndpoints {
  /** Endpoints for Cluster-policy traffic (empty when the service uses none). */
  readonly cluster: readonly EndpointInfo[];
  /** Endpoints for Local-policy traffic (empty when the service uses none). */
  readonly local: readonly EndpointInfo[];
  /** Whether any usable endpoint exists anywhere (decides reject vs drop). */
  readonly hasAny: boolean;
}

/**
 * Upstream `UsesClusterEndpoints`: internal Cluster policy, or any external traffic (even with
 * externalTrafficPolicy Local, pods and the node itself are short-circuited to Cluster).
 */
export const usesClusterEndpoints = (sp: ServicePortInfo) =>
  !sp.internalPolicyLocal || externallyAccessible(sp);

export const usesLocalEndpoints = (sp: ServicePortInfo) =>
  sp.internalPolicyLocal || (externallyAccessible(sp) && sp.externalPolicyLocal);

const servingTerminating = (ep: EndpointInfo) => ep.serving && ep.terminating;

function preferred(
  ready: readonly EndpointInfo[],
  sp: ServicePortInfo,
  node: NodeTopology,
): readonly EndpointInfo[] {
  let close: EndpointInfo[] = [];
  if (sp.locality === "node") close = ready.filter((ep) => ep.nodeName === node.name);
  else if (sp.locality === "zone" && node.zone) {
    close = ready.filter((ep) => ep.zone === node.zone);
  }
  return close.length > 0 ? close : ready;
}

export function categorizeEndpoints(sp: ServicePortInfo, node: NodeTopology): CategorizedEndpoints {
  const all = sp.endpoints;
  let cluster: readonly EndpointInfo[] = [];
  let hasAny = false;
  if (usesClusterEndpoints(sp)) {
    const ready = all.filter((ep) => ep.ready);
    cluster = ready.length > 0 ? preferred(ready, sp, node) : all.filter(servingTerminating);
    hasAny = cluster.length > 0;
  }
  if (!usesLocalEndpoints(sp)) return { cluster, local: [], hasAny };
  const mine = all.filter((ep) => ep.nodeName === node.name);
  if (all.some((ep) => ep.ready || servingTerminating(ep))) hasAny = true;
  const readyHere = mine.filter((ep) => ep.ready);
  const local = readyHere.length > 0 ? readyHere : mine.filter(servingTerminating);
  return { cluster, local, hasAny };
}
