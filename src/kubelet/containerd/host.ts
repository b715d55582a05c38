/**
 * Facts about the host the node set-up depends on: whether root may lower oom_score_adj
 * (CAP_SYS_RESOURCE; some sandboxes and CI runners withhold it, and then every sandbox fails
 * unless containerd clamps the value), the cgroup version, and where the CNI plugins live
 * (Debian: /usr/lib/cni; upstream: /opt/cni/bin).
 */
import { existsSync, readFileSync } from "node:fs";

const CAP_SYS_RESOURCE = 24n;

/** Whether this process holds CAP_SYS_RESOURCE (from CapEff in /proc/self/status). */
export function hasCapSysResource(statusText = readFileSync("/proc/self/status", "utf8")): boolean {
  const m = /^CapEff:\s*([0-9a-f]+)$/m.exec(statusText);
  if (!m) return false;
  return ((BigInt(`0x${m[1]}`) >> CAP_SYS_RESOURCE) & 1n) === 1n;
}

export function cgroupVersion(root = "/sys/fs/cgroup"): 1 | 2 {
  return existsSync(`${root}/cgroup.controllers`) ? 2 : 1;
}

export function findCniBinDir(candidates = ["/usr/lib/cni", "/opt/cni/bin"]): string | undefined {
  return candidates.find((d) => existsSync(`${d}/bridge`) && existsSync(`${d}/host-local`));
}
