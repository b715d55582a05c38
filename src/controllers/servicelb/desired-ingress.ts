/**
 * Pure: the `status.loadBalancer.ingress` a LoadBalancer Service should have, from the nodes
 * and (for externalTrafficPolicy Local) the service's EndpointSlices. See the controller's
 * header for the rules.
 */
import { isIPv4, isIPv6 } from "node:net";
import type {
  EndpointSlice,
  LoadBalancerIngress,
  Node,
  Service,
} from "../../api/generated/types.ts";

/** Upstream: nodes with this label are never load balancer targets. */
export const excludeLabel = "node.kubernetes.io/exclude-from-external-load-balancers";
/** k3s's node pool switch, under Bosun's name: once any node has it, only "true" nodes serve. */
export const enableLBLabel = "svccontroller.bosun.dev/enablelb";

const isReady = (node: Node) =>
  node.status?.conditions?.find((c) => c.type === "Ready")?.status === "True";

function eligibleNodes(nodes: readonly Node[]): Node[] {
  const pooled = nodes.some((n) => n.metadata?.labels?.[enableLBLabel] !== undefined);
  return nodes.filter((n) => {
    const labels = n.metadata?.labels ?? {};
    if (!isReady(n) || n.metadata?.deletionTimestamp) return false;
    if (labels[excludeLabel] !== undefined) return false;
    return !pooled || labels[enableLBLabel] === "true";
  });
}

/** Nodes with a ready pod endpoint of the service (k3s, for externalTrafficPolicy Local). */
function nodesWithReadyEndpoints(slices: readonly EndpointSlice[]): Set<string> {
  const out = new Set<string>();
  for (const slice of slices) {
    for (const ep of slice.endpoints ?? []) {
      if (ep.targetRef?.kind === "Pod" && ep.conditions?.ready === true && ep.nodeName) {
        out.add(ep.nodeName);
      }
    }
  }
  return out;
}

export function desiredIngress(
  svc: Service,
  nodes: readonly Node[],
  slices: readonly EndpointSlice[],
): LoadBalancerIngress[] {
  let serving = eligibleNodes(nodes);
  if (svc.spec?.externalTrafficPolicy === "Local") {
    const withEndpoints = nodesWithReadyEndpoints(slices);
    serving = serving.filter((n) => withEndpoints.has(n.metadata?.name ?? ""));
  }
  const external = new Set<string>();
  const internal = new Set<string>();
  for (const node of serving) {
    for (const a of node.status?.addresses ?? []) {
      if (a.type === "ExternalIP") external.add(a.address);
      else if (a.type === "InternalIP") internal.add(a.address);
    }
  }
  const addresses = [...(external.size > 0 ? external : internal)];
  const families = svc.spec?.ipFamilies?.length ? svc.spec.ipFamilies : ["IPv4"];
  const out: LoadBalancerIngress[] = [];
  for (const family of families) {
    const match = family === "IPv6" ? isIPv6 : isIPv4;
    for (const ip of addresses.filter((a) => match(a)).sort()) out.push({ ip, ipMode: "VIP" });
  }
  return out;
}

export function sameIngress(
  a: readonly LoadBalancerIngress[],
  b: readonly LoadBalancerIngress[],
): boolean {
  const key = (i: LoadBalancerIngress) => `${i.ip ?? ""}|${i.hostname ?? ""}|${i.ipMode ?? "VIP"}`;
  return a.length === b.length && a.every((x, i) => key(x) === key(b[i]!));
}
