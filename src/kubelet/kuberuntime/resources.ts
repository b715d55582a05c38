/**
 * From a pod's resource requests and limits to what CRI applies: the QoS class, the pod's cgroup
 * parent (cgroupfs driver), and per-container Linux resources (cpu shares and quota, memory limit,
 * oom_score_adj), as upstream's `pkg/kubelet/qos` and `kuberuntime_container_linux.go` compute them.
 */
import type { Container, Pod } from "../../api/generated/types.ts";
import { parseQuantity } from "../../machinery/quantity.ts";
import type { LinuxContainerResources } from "../cri/types.ts";

export type QOSClass = "Guaranteed" | "Burstable" | "BestEffort";

const minShares = 2;
const sharesPerCPU = 1024;
const quotaPeriod = 100_000;
const minQuota = 1000;

type ResourceList = Record<string, string> | undefined;

const milli = (list: ResourceList, name: string): number | undefined => {
  const v = list?.[name];
  return v === undefined ? undefined : parseQuantity(v).milliValue();
};
const bytes = (list: ResourceList, name: string): number | undefined => {
  const v = list?.[name];
  return v === undefined ? undefined : parseQuantity(v).value();
};

/** Upstream `GetPodQOS`: from the containers' (and init containers') requests and limits. */
export function podQOSClass(pod: Pod): QOSClass {
  if (pod.status?.qosClass) return pod.status.qosClass as QOSClass;
  const all = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])];
  let any = false;
  let guaranteed = true;
  for (const c of all) {
    const req = c.resources?.requests as ResourceList;
    const lim = c.resources?.limits as ResourceList;
    for (const r of ["cpu", "memory"]) {
      const q = milli(req, r);
      const l = milli(lim, r);
      if ((q ?? 0) > 0 || (l ?? 0) > 0) any = true;
      if (l === undefined || (q !== undefined && q !== l)) guaranteed = false;
    }
  }
  if (!any) return "BestEffort";
  return guaranteed ? "Guaranteed" : "Burstable";
}

/** The pod's cgroup under the cgroupfs driver, e.g. /kubepods/besteffort/pod<uid>. */
export function podCgroupParent(pod: Pod, root = "/kubepods"): string {
  const qos = podQOSClass(pod);
  const uid = pod.metadata?.uid ?? "";
  if (qos === "Guaranteed") return `${root}/pod${uid}`;
  return `${root}/${qos.toLowerCase()}/pod${uid}`;
}

/** Upstream `GetContainerOOMScoreAdjust`. */
export function oomScoreAdj(pod: Pod, container: Container, memoryCapacity: number): number {
  const qos = podQOSClass(pod);
  if (qos === "Guaranteed") return -997;
  if (qos === "BestEffort") return 1000;
  const request = bytes(container.resources?.requests as ResourceList, "memory") ?? 0;
  if (memoryCapacity <= 0) return 999;
  const adj = 1000 - Math.floor((1000 * request) / memoryCapacity);
  return Math.min(999, Math.max(2, adj));
}

/** Upstream `calculateLinuxResources` plus the OOM score. */
export function containerLinuxResources(
  pod: Pod,
  container: Container,
  memoryCapacity: number,
): LinuxContainerResources {
  const req = container.resources?.requests as ResourceList;
  const lim = container.resources?.limits as ResourceList;
  const cpuRequest = milli(req, "cpu") ?? milli(lim, "cpu") ?? 0;
  const cpuLimit = milli(lim, "cpu");
  const memoryLimit = bytes(lim, "memory");
  const out: LinuxContainerResources = {
    cpu_shares: String(Math.max(minShares, Math.floor((cpuRequest * sharesPerCPU) / 1000))),
    oom_score_adj: String(oomScoreAdj(pod, container, memoryCapacity)),
  };
  if (cpuLimit !== undefined && cpuLimit > 0) {
    out.cpu_period = String(quotaPeriod);
    out.cpu_quota = String(Math.max(minQuota, Math.floor((cpuLimit * quotaPeriod) / 1000)));
  }
  if (memoryLimit !== undefined && memoryLimit > 0) out.memory_limit_in_bytes = String(memoryLimit);
  return out;
}
