/**
 * host-gw pod routes (node-networking reference, §1–2): in every node's network namespace, one
 * route per other node's pod CIDR via that node's LAN address. No overlay, no NAT. Routes are
 * tagged with their own routing protocol number, so a sync replaces exactly the routes it owns
 * and leaves the node's other routes (default, CNI bridge) alone.
 *
 * `hostGwRoutes` is pure; `syncHostGwRoutes` applies the difference with `ip`. The cluster
 * supervisor runs it on Node changes today; an agent could call it for its own node later.
 */
import { mustRun, type RunCommand } from "./exec.ts";

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
    .sort((a, b) => a.dst.localeCompare(b.dst));
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
      .map((r) => `route replace ${r.dst} via ${r.via} dev eth0 proto ${routeProtocol}`),
  ];
}

interface IpRoute {
  dst: string;
  gateway?: string;
}

/** Brings the routes we own in `netns` to `desired`; returns the lines it applied. */
export async function syncHostGwRoutes(
  run: RunCommand,
  netns: string,
  desired: readonly Route[],
): Promise<string[]> {
  const out = await mustRun(run, "ip", [
    "-n",
    netns,
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
    await mustRun(run, "ip", ["-n", netns, "-batch", "-"], { input: `${lines.join("\n")}\n` });
  }
  return lines;
}
