/**
 * From what CRI reports about a pod's containers to the statuses the kubelet publishes
 * (upstream `toKubeContainerStatus` and `convertToAPIContainerStatuses`): the newest instance of
 * each container gives its state, the one before it `lastState`; a container that should start
 * but cannot (back-off, image pull, config error) is Waiting with that reason instead.
 */
import type { Container as ContainerSpec } from "../../api/generated/types.ts";
import { type ContainerStatus, nanosToMillis } from "../cri/types.ts";
import { normalizeImageReference } from "../images/reference.ts";
import type { ContainerRuntimeStatus } from "../runtime.ts";
import {
  containerHashAnnotation,
  containerNameLabel,
  initContainerAnnotation,
  restartCountAnnotation,
} from "./labels.ts";

/** One instance of a container as the runtime has it. */
export interface ContainerRecord {
  readonly id: string;
  readonly sandboxId: string;
  readonly name: string;
  readonly restartCount: number;
  readonly state: ContainerStatus["state"];
  readonly createdAt: number;
  readonly startedAt: number;
  readonly finishedAt: number;
  readonly exitCode: number;
  readonly reason: string;
  readonly message: string;
  readonly imageRef: string;
  readonly hash: string;
  readonly isInit: boolean;
}

export interface Waiting {
  readonly reason: string;
  readonly message?: string;
}

export function containerRecord(
  s: ContainerStatus,
  sandboxId: string,
  terminationMessage = "",
): ContainerRecord {
  return {
    id: s.id,
    sandboxId,
    name: s.labels[containerNameLabel] ?? s.metadata.name,
    restartCount: Number(s.annotations[restartCountAnnotation] ?? s.metadata.attempt ?? 0),
    state: s.state,
    createdAt: nanosToMillis(s.created_at),
    startedAt: nanosToMillis(s.started_at),
    finishedAt: nanosToMillis(s.finished_at),
    exitCode: s.exit_code,
    reason: s.reason,
    message: terminationMessage || s.message,
    imageRef: s.image_ref,
    hash: s.annotations[containerHashAnnotation] ?? "",
    isInit: s.annotations[initContainerAnnotation] === "true",
  };
}

/** Newest first: by restart count, then creation time. */
export function newestFirst(records: readonly ContainerRecord[]): ContainerRecord[] {
  return [...records].sort((a, b) => b.restartCount - a.restartCount || b.createdAt - a.createdAt);
}

const containerID = (id: string) => `containerd://${id}`;

/** The image as containerd names it (`nginx` → `docker.io/library/nginx:latest`), as upstream reports. */
function statusImage(image: string): string {
  try {
    return normalizeImageReference(image);
  } catch {
    return image;
  }
}

function termination(r: ContainerRecord): NonNullable<ContainerRuntimeStatus["lastTermination"]> {
  return {
    exitCode: r.exitCode,
    reason: r.reason || (r.exitCode === 0 ? "Completed" : "Error"),
    ...(r.message ? { message: r.message } : {}),
    startedAt: r.startedAt,
    finishedAt: r.finishedAt,
    containerID: containerID(r.id),
  };
}

/**
 * The status of one container. `records` are its instances, newest first; `waiting` overrides
 * the state when the kubelet could not (re)start it; `ready` is the readiness verdict for a
 * running instance.
 */
export function containerRuntimeStatus(
  spec: ContainerSpec,
  records: readonly ContainerRecord[],
  options: { waiting?: Waiting; defaultWaiting?: string; ready?: boolean; started?: boolean },
): ContainerRuntimeStatus {
  const [latest, previous] = records;
  const base = {
    name: spec.name,
    image: statusImage(spec.image ?? ""),
    imageID: latest?.imageRef ?? "",
    containerID: latest ? containerID(latest.id) : "",
    restartCount: latest?.restartCount ?? 0,
  };
  const exited = (r: ContainerRecord | undefined) => r?.state === "CONTAINER_EXITED";
  if (
    options.waiting ||
    !latest ||
    latest.state === "CONTAINER_CREATED" ||
    latest.state === "CONTAINER_UNKNOWN"
  ) {
    const waiting = options.waiting ?? { reason: options.defaultWaiting ?? "ContainerCreating" };
    const last = exited(latest) ? latest : exited(previous) ? previous : undefined;
    return {
      ...base,
      state: "waiting",
      reason: waiting.reason,
      ...(waiting.message ? { message: waiting.message } : {}),
      ready: false,
      started: false,
      ...(last ? { lastTermination: termination(last) } : {}),
    };
  }
  const lastTermination = exited(previous) ? { lastTermination: termination(previous!) } : {};
  if (latest.state === "CONTAINER_RUNNING") {
    return {
      ...base,
      state: "running",
      startedAt: latest.startedAt,
      ready: options.ready ?? true,
      started: options.started ?? true,
      ...lastTermination,
    };
  }
  return {
    ...base,
    state: "terminated",
    exitCode: latest.exitCode,
    reason: latest.reason || (latest.exitCode === 0 ? "Completed" : "Error"),
    ...(latest.message ? { message: latest.message } : {}),
    startedAt: latest.startedAt,
    finishedAt: latest.finishedAt,
    ready: false,
    started: false,
    ...lastTermination,
  };
}
