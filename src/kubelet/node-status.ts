/**
 * The Node object a kubelet registers and keeps current: labels, capacity and allocatable,
 * addresses, node info and the four conditions upstream reports.
 */
import type { Node, NodeCondition, Taint } from "../api/generated/types.ts";

export interface NodeIdentity {
  readonly name: string;
  readonly internalIP: string;
  readonly capacity: Readonly<Record<string, string>>;
  /** Capacity minus system reservations. */
  readonly allocatable: Readonly<Record<string, string>>;
  readonly labels?: Readonly<Record<string, string>>;
  readonly taints?: readonly Taint[];
  readonly kernelVersion: string;
  readonly osImage: string;
  readonly runtimeVersion: string;
  readonly machineID: string;
  readonly bootID: string;
  /** The kubelet server's port (status.daemonEndpoints); default 10250. */
  readonly kubeletPort?: number;
}

export const kubeletVersion = "v1.34.0";

const condition = (
  type: string,
  ok: boolean,
  reason: string,
  message: string,
  now: string,
): NodeCondition => ({
  type,
  status: ok ? (type === "Ready" ? "True" : "False") : type === "Ready" ? "False" : "True",
  reason,
  message,
  lastHeartbeatTime: now,
  lastTransitionTime: now,
});

export function nodeConditions(ready: boolean, now: string): NodeCondition[] {
  return [
    condition(
      "MemoryPressure",
      true,
      "KubeletHasSufficientMemory",
      "kubelet has sufficient memory available",
      now,
    ),
    condition(
      "DiskPressure",
      true,
      "KubeletHasNoDiskPressure",
      "kubelet has no disk pressure",
      now,
    ),
    condition(
      "PIDPressure",
      true,
      "KubeletHasSufficientPID",
      "kubelet has sufficient PID available",
      now,
    ),
    ready
      ? condition("Ready", true, "KubeletReady", "kubelet is posting ready status", now)
      : condition("Ready", false, "KubeletNotReady", "container runtime network not ready", now),
  ];
}

/** Keeps lastTransitionTime of conditions whose status did not change. */
export function mergeConditions(
  old: readonly NodeCondition[] | undefined,
  next: NodeCondition[],
): NodeCondition[] {
  return next.map((c) => {
    const before = old?.find((o) => o.type === c.type);
    return before && before.status === c.status && before.lastTransitionTime
      ? { ...c, lastTransitionTime: before.lastTransitionTime }
      : c;
  });
}

export function nodeObject(id: NodeIdentity, ready: boolean, now: string): Node {
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: {
      name: id.name,
      labels: {
        "beta.kubernetes.io/arch": "amd64",
        "beta.kubernetes.io/os": "linux",
        "kubernetes.io/arch": "amd64",
        "kubernetes.io/hostname": id.name,
        "kubernetes.io/os": "linux",
        ...id.labels,
      },
      annotations: { "node.alpha.kubernetes.io/ttl": "0" },
    },
    spec: id.taints ? { taints: [...id.taints] } : {},
    status: {
      capacity: { ...id.capacity },
      allocatable: { ...id.allocatable },
      conditions: nodeConditions(ready, now),
      addresses: [
        { type: "InternalIP", address: id.internalIP },
        { type: "Hostname", address: id.name },
      ],
      daemonEndpoints: { kubeletEndpoint: { Port: id.kubeletPort ?? 10250 } },
      nodeInfo: {
        machineID: id.machineID,
        systemUUID: id.machineID,
        bootID: id.bootID,
        kernelVersion: id.kernelVersion,
        osImage: id.osImage,
        containerRuntimeVersion: id.runtimeVersion,
        kubeletVersion,
        kubeProxyVersion: kubeletVersion,
        operatingSystem: "linux",
        architecture: "amd64",
      },
    },
  };
}
