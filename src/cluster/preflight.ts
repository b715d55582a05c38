/**
 * What a host needs before `bosun cluster` touches it, each missing piece reported as one line
 * that says what to do: Linux, root, the namespaces and the cgroup freezer in the kernel, and
 * the tools (with the Debian package that provides them).
 */
import { accessSync, constants, existsSync } from "node:fs";
import { delimiter, join } from "node:path";
import type { ClusterCgroups } from "./cgroups.ts";
import type { ClusterRuntime } from "./spec.ts";

export const notRoot =
  "local clusters need root (they create network namespaces, mounts and cgroups); run as root or with sudo";

/** Tools and the Debian packages they come from. */
const tools: Record<string, string> = {
  ip: "iproute2",
  nsenter: "util-linux",
  unshare: "util-linux",
  mount: "mount",
  bash: "bash",
};

const containerdTools: Record<string, string> = {
  containerd: "containerd",
  runc: "runc",
  nft: "nftables",
  conntrack: "conntrack",
};

export function findInPath(tool: string, path = process.env.PATH ?? ""): string | undefined {
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    const file = join(dir, tool);
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // Not here.
    }
  }
  return undefined;
}

export interface HostFacts {
  readonly platform: string;
  readonly uid: number;
  readonly hasNamespace: (kind: string) => boolean;
  readonly findTool: (tool: string) => string | undefined;
  readonly cgroups: ClusterCgroups;
}

export const realHostFacts = (cgroups: ClusterCgroups): HostFacts => ({
  platform: process.platform,
  uid: process.getuid?.() ?? -1,
  hasNamespace: (kind) => existsSync(`/proc/self/ns/${kind}`),
  findTool: (tool) => findInPath(tool),
  cgroups,
});

/** The first reason this host cannot run a local cluster, or undefined. */
export function preflightProblem(host: HostFacts, runtime: ClusterRuntime): string | undefined {
  if (host.platform !== "linux") {
    return `local clusters need Linux namespaces; this is ${host.platform}`;
  }
  if (host.uid !== 0) return notRoot;
  const namespaces = {
    net: "CONFIG_NET_NS",
    mnt: "CONFIG_NAMESPACES",
    uts: "CONFIG_UTS_NS",
    pid: "CONFIG_PID_NS",
  };
  for (const [kind, option] of Object.entries(namespaces)) {
    if (!host.hasNamespace(kind)) return `the kernel has no ${kind} namespaces (${option})`;
  }
  if (host.cgroups.dirs.length === 0) return "no cgroup hierarchy is mounted under /sys/fs/cgroup";
  if (!host.cgroups.freezer) {
    return "the kernel has no cgroup freezer (CONFIG_CGROUP_FREEZER), which node freeze/thaw needs";
  }
  const needed = { ...tools, ...(runtime === "containerd" ? containerdTools : {}) };
  const missing = Object.entries(needed).filter(([tool]) => !host.findTool(tool));
  if (missing.length > 0) {
    const packages = [...new Set(missing.map(([, pkg]) => pkg))];
    return `missing ${missing.map(([t]) => t).join(", ")}: install the Debian package${packages.length > 1 ? "s" : ""} ${packages.join(" ")} (apt-get install ${packages.join(" ")})`;
  }
  return undefined;
}
