/**
 * host-gw pod routes (node-networking reference, §1–2): in every node's network namespace, one
 * route per other node's pod CIDR via that node's address (the kernel picks the device that reaches it). No overlay, no NAT. Routes are
 * tagged with their own routing protocol number, so a sync replaces exactly the routes it owns
 * and leaves the node's other routes (default, CNI bridge) alone.
 *
 * `hostGwRoutes` is pure; `syncHostGwRoutes` applies the difference with `ip`. Every node's
 * agent runs it for itself on Node changes (`pod-routes.ts`).
 */
import { compareStrings } from "../../machinery/apply/go-json.ts";
import { mustRun, type RunCommand } from "../../machinery/exec.ts";

/** `ip route … proto 176`: an unassigned number in iproute2's rt_protos, marking our routes. */
export const routeProtocol = 176;

export interface RouteNode {
  readonly name: string;
  /** The address other nodes reach it at (its InternalIP on the LAN). */
  readonly ip: string;
  readonly podCIDRs: readonly string[];
}

export interface Route {
  readonly dst: string;
  readonly via: string;
}

/** The routes node `self` needs to reach every other node's pods. */
export function hostGwRoutes(nodes: readonly RouteNode[], self: string): Route[] {
  return nodes
    .filter((n) => n.name !== self && n.ip)
    .flatMap((n) => n.podCIDRs.filter((c) => !c.includes(":")).map((dst) => ({ dst, via: n.ip })))
    .sort((a, b) => compareStrings(a.dst, b.dst));
}

/** The `ip -batch` lines that turn `current` routes into `desired` ones. */
export function routeChanges(current: readonly Route[], desired: readonly Route[]): string[] {
  const key = (r: Route) => `${r.dst} via ${r.via}`;
  const want = new Set(desired.map(key));
  const have = new Set(current.map(key));
  return [
    ...current
      .filter((r) => !want.has(key(r)))
      .map((r) => `route del ${r.dst} proto ${routeProtocol}`),
    ...desired
      .filter((r) => !have.has(key(r)))
      .map((r) => `route replace ${r.dst} via ${r.via} proto ${routeProtocol}`),
  ];
}

interface IpRoute {
  dst: string;
  gateway?: string;
}

/**
 * Brings the routes we own to `desired`, in this network namespace or the named one; returns the
 * lines it applied.
 */
export async function syncHostGwRoutes(
  run: RunCommand,
  desired: readonly Route[],
  netns?: string,
): Promise<string[]> {
  const ns = netns ? ["-n", netns] : [];
  const out = await mustRun(run, "ip", [
    ...ns,
    "-j",
    "route",
    "show",
    "proto",
    String(routeProtocol),
  ]);
  const current = (JSON.parse(out || "[]") as IpRoute[]).map((r) => ({
    dst: r.dst,
    via: r.gateway ?? "",
  }));
  const lines = routeChanges(current, desired);
  if (lines.length > 0) {
    await mustRun(run, "ip", [...ns, "-batch", "-"], { input: `${lines.join("\n")}\n` });
  }
  return lines;
}
