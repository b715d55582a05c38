/**
 * The pod status the kubelet reports, computed from the runtime's view of the containers:
 * phase, the conditions (pod-conditions.ts), container statuses, IPs and start time (upstream
 * `kubelet_pods.go` generateAPIPodStatus, getPhase).
 */
import type { ContainerStatus, Pod, PodStatus } from "../api/generated/types.ts";
import { formatTime } from "../machinery/time.ts";
import { podConditions } from "./pod-conditions.ts";
import type { ContainerRuntimeStatus, PodRuntimeStatus } from "./runtime.ts";

const time = formatTime;

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

export function podStatus(options: {
  pod: Pod;
  runtime: PodRuntimeStatus;
  hostIP: string;
  startTime: number;
  now: number;
}): PodStatus {
  const { pod, runtime } = options;
  const now = time(options.now);
  const phase = podPhase(pod, runtime);
  const conditions = podConditions({ pod, runtime, phase, now });
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
    ...(runtime.ephemeralContainers?.length
      ? { ephemeralContainerStatuses: runtime.ephemeralContainers.map(containerStatus) }
      : {}),
  };
  if (phase !== undefined) status.phase = phase;
  return status;
}
