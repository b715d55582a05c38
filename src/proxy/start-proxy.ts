/**
 * What the node agent calls: checks that `nft` is there (failing with the Debian package to
 * install when it is not), warns about kernel settings services need, and starts the proxier
 * for this node with the real `nft` and `conntrack`. Runs in the caller's network namespace: a
 * node agent started inside its node's namespace programs that node.
 */
import { readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import type { RestClient } from "../client/rest-client.ts";
import type { Logger } from "../machinery/log.ts";
import { ExecConntrack } from "./conntrack.ts";
import { ExecNftRunner, execTool } from "./nft-runner.ts";
import { Proxier, type ProxierOptions } from "./proxier.ts";

export interface StartProxyOptions {
  readonly client: RestClient;
  readonly nodeName: string;
  readonly nodeIPs: readonly string[];
  readonly log: Logger;
  readonly signal: AbortSignal;
  /** See `ProxierOptions`; defaults follow upstream kube-proxy. */
  readonly clusterCIDRs?: readonly string[];
  readonly serviceCIDRs?: readonly string[];
  readonly minSyncPeriodMs?: number;
  readonly netns?: string;
}

export interface RunningProxy {
  readonly proxier: Proxier;
  /** Settles when the proxy has stopped (after `signal` aborts). */
  readonly done: Promise<void>;
}

/** Kernel settings whose absence breaks services in ways that are hard to diagnose. */
const sysctls = [
  {
    path: "/proc/sys/net/ipv4/ip_forward",
    why: "DNAT to pods and other nodes needs forwarding",
  },
  {
    path: "/proc/sys/net/bridge/bridge-nf-call-iptables",
    why: "pod → ClusterIP → pod on the same bridge needs br_netfilter (modprobe br_netfilter)",
  },
];

async function warnAboutSysctls(log: Logger): Promise<void> {
  for (const { path, why } of sysctls) {
    const value = await readFile(path, "utf8").then(
      (v) => v.trim(),
      () => "missing",
    );
    if (value !== "1") log.warn("kernel setting not enabled", { sysctl: path, value, why });
  }
}

/**
 * A node's rules follow its changes within ~0.1 s while syncs are cheap (a few services: tens of
 * ms), and no more than once a second when they are not (1,000 services: ~120 ms a sync), so
 * syncing never takes more than a fifth of the proxy's time.
 */
const defaultQuickSync = { floorMs: 100, busyFactor: 5 };

/**
 * CPU ms this process and its reaped children (each sync's `nft`) have used: what a proxy sync
 * costs, without the time it waited for busy cores. Children's time comes in clock ticks
 * (1/100 s on Linux) from /proc/self/stat; elsewhere only the process's own.
 */
export function processCpuMs(): number {
  const own = process.cpuUsage();
  let children = 0;
  try {
    const stat = readFileSync("/proc/self/stat", "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    children = (Number(fields[13]) + Number(fields[14])) * 10; // cutime, cstime
  } catch {
    // not Linux: the process's own time only
  }
  return (own.user + own.system) / 1000 + (Number.isFinite(children) ? children : 0);
}

export async function startProxy(options: StartProxyOptions): Promise<RunningProxy> {
  const exec = options.netns ? { netns: options.netns } : {};
  const version = await execTool(["--version"], { debianPackage: "nftables", ...exec });
  const log = options.log.with({ component: "proxy" });
  await warnAboutSysctls(log);
  const proxierOptions: ProxierOptions = {
    client: options.client,
    nodeName: options.nodeName,
    nodeIPs: options.nodeIPs,
    nft: new ExecNftRunner(exec),
    conntrack: new ExecConntrack(exec),
    log,
    ...(options.clusterCIDRs ? { clusterCIDRs: options.clusterCIDRs } : {}),
    ...(options.serviceCIDRs ? { serviceCIDRs: options.serviceCIDRs } : {}),
    ...(options.minSyncPeriodMs !== undefined ? { minSyncPeriodMs: options.minSyncPeriodMs } : {}),
    quickSync: defaultQuickSync,
    syncCost: processCpuMs,
  };
  const proxier = new Proxier(proxierOptions);
  log.info("proxy starting", { nft: version.stdout.trim(), nodeIPs: options.nodeIPs });
  return { proxier, done: proxier.run(options.signal) };
}
