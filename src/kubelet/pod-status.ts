/**
 * The pod status the kubelet reports, computed from the runtime's view of the containers:
 * phase, the standard conditions, container statuses, IPs and start time (upstream
 * `kubelet_pods.go` generateAPIPodStatus, getPhase).
 */
import type { ContainerStatus, Pod, PodCondition, PodStatus } from "../api/generated/types.ts";
import type { ContainerRuntimeStatus, PodRuntimeStatus } from "./runtime.ts";

const time = (ms: number) => new Date(ms).toISOString().replace(/\.\d+Z$/, "Z");

function containerStatus(c: ContainerRuntimeStatus): ContainerStatus {
  const state =
    c.state === "running"
      ? { running: { startedAt: time(c.startedAt ?? 0) } }
      : c.state === "terminated"
        ? {
            terminated: {
              exitCode: c.exitCode ?? 0,
              reason: c.reason ?? (c.exitCode ? "Error" : "Completed"),
              ...(c.message ? { message: c.message } : {}),
              startedAt: time(c.startedAt ?? 0),
              finishedAt: time(c.finishedAt ?? 0),
              containerID: c.containerID,
            },
          }
        : {
            waiting: {
              reason: c.reason ?? "ContainerCreating",
              ...(c.message ? { message: c.message } : {}),
            },
          };
  const last = c.lastTermination;
  return {
    name: c.name,
    state,
    lastState: last
      ? {
          terminated: {
            exitCode: last.exitCode,
            reason: last.reason,
            ...(last.message ? { message: last.message } : {}),
            startedAt: time(last.startedAt),
            finishedAt: time(last.finishedAt),
            containerID: last.containerID ?? c.containerID,
          },
        }
      : {},
    ready: c.ready,
    restartCount: c.restartCount,
    image: c.image,
    imageID: c.imageID,
    ...(c.containerID ? { containerID: c.containerID } : {}),
    started: c.started ?? c.state === "running",
  };
}

/** Upstream's getPhase: from the containers' states and the restart policy. */
export function podPhase(pod: Pod, rt: PodRuntimeStatus): PodStatus["phase"] {
  const initDone = rt.initContainers.every(
    (c) => c.state === "terminated" && (c.exitCode ?? 0) === 0,
  );
  const initFailed = rt.initContainers.some(
    (c) => c.state === "terminated" && (c.exitCode ?? 0) !== 0,
  );
  const policy = pod.spec?.restartPolicy ?? "Always";
  if (initFailed && policy === "Never") return "Failed";
  if (!initDone) return "Pending";
  const cs = rt.containers;
  if (cs.length === 0 || cs.some((c) => c.state === "waiting" && c.restartCount === 0))
    return "Pending";
  if (cs.some((c) => c.state === "running")) return "Running";
  if (cs.every((c) => c.state === "terminated")) {
    const failed = cs.some((c) => (c.exitCode ?? 0) !== 0);
    if (policy === "Always") return "Running";
    if (!failed) return "Succeeded";
    return policy === "Never" ? "Failed" : "Running";
  }
  return "Running";
}

function cond(
  type: string,
  ok: boolean,
  now: string,
  old: PodCondition[] | undefined,
  reason?: string,
): PodCondition {
  const status = ok ? "True" : "False";
  const before = old?.find((c) => c.type === type);
  return {
    type,
    status,
    lastProbeTime: null as unknown as string,
    lastTransitionTime:
      before?.status === status && before.lastTransitionTime ? before.lastTransitionTime : now,
    ...(reason && !ok ? { reason } : {}),
  };
}

export function podStatus(options: {
  pod: Pod;
  runtime: PodRuntimeStatus;
  hostIP: string;
  startTime: number;
  now: number;
}): PodStatus {
  const { pod, runtime } = options;
  const now = time(options.now);
  const old = pod.status?.conditions;
  const phase = podPhase(pod, runtime);
  const initialized = runtime.initContainers.every(
    (c) => c.state === "terminated" && (c.exitCode ?? 0) === 0,
  );
  const containersReady = runtime.containers.length > 0 && runtime.containers.every((c) => c.ready);
  const terminal = phase === "Succeeded" || phase === "Failed";
  const scheduled = old?.find((c) => c.type === "PodScheduled");
  const conditions = [
    cond("PodReadyToStartContainers", Boolean(runtime.podIP), now, old),
    cond("Initialized", initialized, now, old, "ContainersNotInitialized"),
    cond(
      "Ready",
      containersReady && !terminal,
      now,
      old,
      terminal ? "PodCompleted" : "ContainersNotReady",
    ),
    cond(
      "ContainersReady",
      containersReady && !terminal,
      now,
      old,
      terminal ? "PodCompleted" : "ContainersNotReady",
    ),
    scheduled ?? cond("PodScheduled", true, now, old),
  ];
  const status: PodStatus = {
    ...pod.status,
    conditions,
    hostIP: options.hostIP,
    hostIPs: [{ ip: options.hostIP }],
    ...(runtime.podIP ? { podIP: runtime.podIP, podIPs: [{ ip: runtime.podIP }] } : {}),
    startTime: time(options.startTime),
    ...(runtime.initContainers.length > 0
      ? { initContainerStatuses: runtime.initContainers.map(containerStatus) }
      : {}),
    containerStatuses: runtime.containers.map(containerStatus),
  };
  if (phase !== undefined) status.phase = phase;
  return status;
}
