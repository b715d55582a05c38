/**
 * The node LAN (node-networking reference, §2–3): a bridge in its own network namespace, one
 * veth per node whose inner end is created directly as `eth0` in the node's namespace, and one
 * veth end on the host. The plan is a pure list of `ip -batch` scripts, one per namespace;
 * applying it runs one `ip` per namespace (the node batches in parallel).
 *
 * A node's power state is its `eth0` (down when stopped: a powered-off machine does not answer
 * pings), its cable is its LAN port `n<k>` (down when disconnected). The two are independent.
 *
 * The host plays the LAN's router: one nftables table of its own (`ip bosun-<c>-lan`) masquerades
 * the LAN's traffic leaving the host, as a home router or kind's Docker network does, so nodes —
 * and pods, which their proxy masquerades to the node's address (ADR 22) — reach the world
 * beyond the host (and the host's resolvers). Forwarding itself is the host's setting
 * (`net.ipv4.ip_forward`); a FORWARD policy of DROP (Docker's) still blocks it.
 */
import { CommandError, mustRun, type RunCommand } from "../machinery/exec.ts";
import type { ClusterSpec, NodeSpec } from "./spec.ts";

export interface IpBatch {
  /** Run inside this network namespace (`ip -n`); the host's when absent. */
  readonly netns?: string;
  readonly lines: readonly string[];
}

export function networkPlan(spec: ClusterSpec): { host: IpBatch; lan: IpBatch; nodes: IpBatch[] } {
  const { lan } = spec;
  const cidr = (ip: string) => `${ip}/${lan.prefixLength}`;
  return {
    host: {
      lines: [
        `netns add ${lan.netns}`,
        ...spec.nodes.map((n) => `netns add ${n.netns}`),
        `link add ${lan.hostLink} type veth peer name uplink netns ${lan.netns}`,
        `addr add ${cidr(lan.hostIP)} dev ${lan.hostLink}`,
        `link set ${lan.hostLink} up`,
      ],
    },
    lan: {
      netns: lan.netns,
      lines: [
        "link set lo up",
        `link add ${lan.bridge} type bridge`,
        `link set ${lan.bridge} up`,
        `link set uplink master ${lan.bridge}`,
        "link set uplink up",
        ...spec.nodes.flatMap((n) => [
          `link add ${n.lanLink} type veth peer name eth0 netns ${n.netns}`,
          `link set ${n.lanLink} master ${lan.bridge}`,
          `link set ${n.lanLink} up`,
        ]),
      ],
    },
    nodes: spec.nodes.map((n) => ({
      netns: n.netns,
      lines: [
        "link set lo up",
        `addr add ${cidr(n.ip)} dev eth0`,
        "link set eth0 up",
        `route add default via ${lan.hostIP}`,
      ],
    })),
  };
}

export async function runBatch(run: RunCommand, batch: IpBatch): Promise<void> {
  const args = [...(batch.netns ? ["-n", batch.netns] : []), "-batch", "-"];
  try {
    await mustRun(run, "ip", args, { input: `${batch.lines.join("\n")}\n` });
  } catch (err) {
    if (err instanceof CommandError && /Unknown device type|not supported/i.test(err.message)) {
      throw new Error(
        "the kernel cannot create veth pairs or bridges (CONFIG_VETH, CONFIG_BRIDGE; try modprobe veth bridge)",
        { cause: err },
      );
    }
    throw err;
  }
}

/** The host's table for this cluster's LAN. */
export const hostNatTableName = (spec: ClusterSpec) => spec.lan.netns;

/** The host's masquerade for the LAN as one atomic `nft -f` file (replaces an older copy). */
export function hostNatRuleset(spec: ClusterSpec): string {
  const table = `ip ${hostNatTableName(spec)}`;
  return [
    `table ${table}`,
    `delete table ${table}`,
    `table ${table} {`,
    "  chain postrouting {",
    "    type nat hook postrouting priority srcnat; policy accept;",
    `    ip saddr ${spec.lan.subnet} oifname != "${spec.lan.hostLink}" masquerade comment "cluster LAN leaving the host"`,
    "  }",
    "}",
    "",
  ].join("\n");
}

/** Builds the LAN, every node's network namespace and the host's masquerade for the LAN. */
export async function createNetwork(run: RunCommand, spec: ClusterSpec): Promise<void> {
  const plan = networkPlan(spec);
  await runBatch(run, plan.host);
  await runBatch(run, plan.lan);
  await Promise.all(plan.nodes.map((b) => runBatch(run, b)));
  await mustRun(run, "nft", ["-f", "-"], { input: hostNatRuleset(spec) });
}

/**
 * Removes the namespaces (their veths go with them) and the host link; absent parts are fine. The
 * host link is the peer of a veth in the LAN namespace, so the kernel may remove it at any moment
 * once that namespace is deleted: "Cannot find device" is one more way of being absent.
 */
export async function deleteNetwork(run: RunCommand, spec: ClusterSpec): Promise<void> {
  for (const ns of [...spec.nodes.map((n) => n.netns), spec.lan.netns]) {
    await runUnlessAbsent(run, "ip", ["netns", "delete", ns], /No such file|not found/i);
  }
  const link = ["link", "delete", spec.lan.hostLink];
  await runUnlessAbsent(run, "ip", link, /Cannot find device|does not exist/i);
  const nat = ["delete", "table", "ip", hostNatTableName(spec)];
  await runUnlessAbsent(run, "nft", nat, /No such file|does not exist/i);
}

/** Runs a removal; a failure whose message says the thing is already gone is success. */
async function runUnlessAbsent(
  run: RunCommand,
  cmd: string,
  args: string[],
  absent: RegExp,
): Promise<void> {
  const r = await run(cmd, args);
  if (r.code !== 0 && !absent.test(r.stderr)) throw new CommandError(cmd, args, r);
}

/** Powers a node's network on: `eth0` up and its default route back (link-down removed it). */
export async function powerOn(run: RunCommand, spec: ClusterSpec, node: NodeSpec): Promise<void> {
  await runBatch(run, {
    netns: node.netns,
    lines: ["link set eth0 up", `route replace default via ${spec.lan.hostIP}`],
  });
}

export async function powerOff(run: RunCommand, node: NodeSpec): Promise<void> {
  await mustRun(run, "ip", ["-n", node.netns, "link", "set", "eth0", "down"]);
}

/** Plugs (`up`) or unplugs a node's cable on the LAN bridge. */
export async function setCable(
  run: RunCommand,
  spec: ClusterSpec,
  node: NodeSpec,
  plugged: boolean,
): Promise<void> {
  await mustRun(run, "ip", [
    "-n",
    spec.lan.netns,
    "link",
    "set",
    node.lanLink,
    plugged ? "up" : "down",
  ]);
}

interface IpLink {
  ifname: string;
  flags?: string[];
}

/** Whether each of the named links in `netns` is administratively up. */
export async function linksUp(run: RunCommand, netns: string): Promise<Map<string, boolean>> {
  const r = await run("ip", ["-n", netns, "-j", "link", "show"]);
  const out = new Map<string, boolean>();
  if (r.code !== 0) return out;
  for (const l of JSON.parse(r.stdout || "[]") as IpLink[]) {
    out.set(l.ifname, (l.flags ?? []).includes("UP"));
  }
  return out;
}

/** IPv4 prefixes the host already has addresses or routes in (to pick a free LAN). */
export async function hostPrefixes(run: RunCommand): Promise<string[]> {
  const routes = JSON.parse((await mustRun(run, "ip", ["-4", "-j", "route", "show"])) || "[]") as {
    dst: string;
  }[];
  const addrs = JSON.parse((await mustRun(run, "ip", ["-4", "-j", "addr", "show"])) || "[]") as {
    addr_info?: { local: string; prefixlen: number }[];
  }[];
  return [
    ...routes.map((r) => r.dst).filter((d) => d !== "default"),
    ...addrs.flatMap((a) => (a.addr_info ?? []).map((i) => `${i.local}/${i.prefixlen}`)),
  ];
}

const toInt = (ip: string) =>
  ip.split(".").reduce((acc, part) => ((acc << 8) | Number(part)) >>> 0, 0) >>> 0;

/** Whether two IPv4 CIDRs (a bare address counts as /32) overlap. */
export function prefixesOverlap(a: string, b: string): boolean {
  const parse = (c: string) => {
    const [ip, len] = c.split("/");
    const bits = len === undefined ? 32 : Number(len);
    const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
    return { net: (toInt(ip!) & mask) >>> 0, mask };
  };
  const x = parse(a);
  const y = parse(b);
  const mask = (x.mask & y.mask) >>> 0;
  return (x.net & mask) >>> 0 === (y.net & mask) >>> 0;
}
