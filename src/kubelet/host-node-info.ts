/**
 * What a real node reports about itself (upstream cadvisor machine info and the kubelet's
 * allocatable): kernel, OS image, machine and boot ids, and capacity — CPUs, memory,
 * ephemeral storage of the kubelet's filesystem, pods (110) — with allocatable as upstream's
 * defaults leave it: memory minus the 100Mi hard eviction threshold, ephemeral storage minus
 * the 10 % nodefs threshold.
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync, statfsSync } from "node:fs";
import { availableParallelism, release, totalmem } from "node:os";

export interface HostNodeInfo {
  readonly kernelVersion: string;
  readonly osImage: string;
  readonly machineID: string;
  readonly bootID: string;
  readonly capacity: Record<string, string>;
  readonly allocatable: Record<string, string>;
  readonly memoryBytes: number;
}

const read = (path: string) => (existsSync(path) ? readFileSync(path, "utf8").trim() : "");

export function osImage(osRelease = read("/etc/os-release")): string {
  const m = /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(osRelease);
  return m?.[1] || "Linux";
}

const evictionMemoryBytes = 100 * 1024 * 1024;

export function hostNodeInfo(options: { dataDir: string; maxPods?: number }): HostNodeInfo {
  const memoryBytes = totalmem();
  const fs = statfsSync(options.dataDir);
  const storageBytes = fs.blocks * fs.bsize;
  const pods = String(options.maxPods ?? 110);
  const kib = (bytes: number) => `${Math.floor(bytes / 1024)}Ki`;
  const machineID =
    read("/etc/machine-id") ||
    createHash("sha256").update(read("/proc/sys/kernel/random/boot_id")).digest("hex").slice(0, 32);
  return {
    kernelVersion: release(),
    osImage: osImage(),
    machineID,
    bootID: read("/proc/sys/kernel/random/boot_id"),
    memoryBytes,
    capacity: {
      cpu: String(availableParallelism()),
      memory: kib(memoryBytes),
      "ephemeral-storage": kib(storageBytes),
      pods,
      "hugepages-1Gi": "0",
      "hugepages-2Mi": "0",
    },
    allocatable: {
      cpu: String(availableParallelism()),
      memory: kib(Math.max(0, memoryBytes - evictionMemoryBytes)),
      "ephemeral-storage": String(Math.floor(storageBytes * 0.9)),
      pods,
      "hugepages-1Gi": "0",
      "hugepages-2Mi": "0",
    },
  };
}
