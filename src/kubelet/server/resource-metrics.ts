/**
 * `/metrics/resource` (upstream kubelet's resource metrics endpoint, which metrics-server and
 * Bosun's API server scrape): cumulative CPU seconds and working-set bytes of the node, of each
 * running container of the pods bound here (from CRI ListContainerStats), and of each pod, in
 * the Prometheus text format with the samples' own timestamps.
 */
import { readFile } from "node:fs/promises";
import type { ContainerStats } from "../cri/types.ts";
import { podNameLabel, podNamespaceLabel } from "../kuberuntime/labels.ts";
import type { Pod } from "../pod-source.ts";

export interface NodeUsage {
  readonly cpuSeconds: number;
  readonly memoryWorkingSetBytes: number;
  readonly timestampMs: number;
}

/** Clock ticks per second of /proc/stat (USER_HZ, 100 on Linux). */
const userHz = 100;

/**
 * The machine's CPU time (every state but idle and iowait, from /proc/stat) and working set
 * (MemTotal - MemAvailable, from /proc/meminfo: what cannot be reclaimed without swapping).
 */
export async function readNodeUsage(now: number = Date.now()): Promise<NodeUsage> {
  const [stat, meminfo] = await Promise.all([
    readFile("/proc/stat", "utf8"),
    readFile("/proc/meminfo", "utf8"),
  ]);
  const cpu = stat.split("\n", 1)[0]!.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal (guest time is counted in user already)
  const busy = [0, 1, 2, 5, 6, 7].reduce((sum, i) => sum + (cpu[i] ?? 0), 0);
  const kb = (name: string) =>
    Number(new RegExp(`^${name}:\\s+(\\d+)`, "m").exec(meminfo)?.[1] ?? 0);
  return {
    cpuSeconds: busy / userHz,
    memoryWorkingSetBytes: (kb("MemTotal") - kb("MemAvailable")) * 1024,
    timestampMs: now,
  };
}

const quote = (v: string) =>
  `"${v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`;
const num = (n: number) =>
  Number.isInteger(n) ? String(n) : n.toPrecision(12).replace(/\.?0+$/, "");

interface Series {
  readonly labels: string;
  readonly value: number;
  /** The sample's time; none for a value of the scrape itself. */
  readonly ms?: number;
}

function family(name: string, help: string, type: string, series: readonly Series[]): string {
  const lines = [`# HELP ${name} [STABLE] ${help}`, `# TYPE ${name} ${type}`];
  for (const s of series) {
    lines.push(`${name}${s.labels} ${num(s.value)}${s.ms === undefined ? "" : ` ${s.ms}`}`);
  }
  return `${lines.join("\n")}\n`;
}

/** The running containers' ids (`containerd://<id>` without the scheme) of the pods given. */
function runningIds(pods: readonly Pod[]): Set<string> {
  const ids = new Set<string>();
  for (const pod of pods) {
    for (const c of pod.status?.containerStatuses ?? []) {
      if (c.state?.running && c.containerID) ids.add(c.containerID.replace(/^[a-z]+:\/\//, ""));
    }
  }
  return ids;
}

/** The endpoint's text: node, container and pod series. */
export function renderResourceMetrics(
  node: NodeUsage,
  stats: readonly ContainerStats[],
  pods: readonly Pod[],
): string {
  const running = runningIds(pods);
  const cpu: Series[] = [];
  const memory: Series[] = [];
  const podTotals = new Map<string, { cpu: number; memory: number; ms: number; labels: string }>();
  for (const s of stats) {
    const a = s.attributes;
    if (!a || !running.has(a.id)) continue;
    const namespace = a.labels[podNamespaceLabel] ?? "";
    const pod = a.labels[podNameLabel] ?? "";
    const container = a.metadata?.name ?? "";
    const labels = `{container=${quote(container)},namespace=${quote(namespace)},pod=${quote(pod)}}`;
    const cpuSeconds = Number(s.cpu?.usage_core_nano_seconds?.value ?? 0) / 1e9;
    const bytes = Number(s.memory?.working_set_bytes?.value ?? 0);
    const ms = Math.floor(Number(s.cpu?.timestamp ?? 0) / 1e6) || node.timestampMs;
    cpu.push({ labels, value: cpuSeconds, ms });
    memory.push({ labels, value: bytes, ms });
    const key = `${namespace}/${pod}`;
    const total = podTotals.get(key) ?? {
      cpu: 0,
      memory: 0,
      ms,
      labels: `{namespace=${quote(namespace)},pod=${quote(pod)}}`,
    };
    total.cpu += cpuSeconds;
    total.memory += bytes;
    podTotals.set(key, total);
  }
  const pod = [...podTotals.values()];
  const at = node.timestampMs;
  return [
    family(
      "container_cpu_usage_seconds_total",
      "Cumulative cpu time consumed by the container in core-seconds",
      "counter",
      cpu,
    ),
    family(
      "container_memory_working_set_bytes",
      "Current working set of the container in bytes",
      "gauge",
      memory,
    ),
    family(
      "node_cpu_usage_seconds_total",
      "Cumulative cpu time consumed by the node in core-seconds",
      "counter",
      [{ labels: "", value: node.cpuSeconds, ms: at }],
    ),
    family("node_memory_working_set_bytes", "Current working set of the node in bytes", "gauge", [
      { labels: "", value: node.memoryWorkingSetBytes, ms: at },
    ]),
    family(
      "pod_cpu_usage_seconds_total",
      "Cumulative cpu time consumed by the pod in core-seconds",
      "counter",
      pod.map((p) => ({ labels: p.labels, value: p.cpu, ms: p.ms })),
    ),
    family(
      "pod_memory_working_set_bytes",
      "Current working set of the pod in bytes",
      "gauge",
      pod.map((p) => ({ labels: p.labels, value: p.memory, ms: p.ms })),
    ),
    family(
      "resource_scrape_error",
      "1 if there was an error while getting container metrics, 0 otherwise",
      "gauge",
      [{ labels: "", value: 0 }],
    ),
  ].join("");
}
