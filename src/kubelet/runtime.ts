/**
 * What the kubelet needs from a container runtime, at the level of pods: start or converge a
 * pod, report its containers, stop it. The simulated runtime implements it without containers;
 * the containerd runtime implements it over CRI. Everything else (registration, heartbeats,
 * pod status, termination protocol) is the kubelet's, shared by both.
 */
import type { Pod } from "../api/generated/types.ts";

export type ContainerStateName = "waiting" | "running" | "terminated";

export interface ContainerRuntimeStatus {
  readonly name: string;
  readonly state: ContainerStateName;
  /** For waiting: ContainerCreating, CrashLoopBackOff, ErrImagePull…; for terminated: Completed, Error, OOMKilled. */
  readonly reason?: string;
  readonly message?: string;
  readonly exitCode?: number;
  /** Milliseconds since the epoch. */
  readonly startedAt?: number;
  readonly finishedAt?: number;
  readonly restartCount: number;
  readonly ready: boolean;
  readonly image: string;
  readonly imageID: string;
  readonly containerID: string;
  readonly lastTermination?: {
    exitCode: number;
    reason: string;
    startedAt: number;
    finishedAt: number;
  };
}

export interface PodRuntimeStatus {
  /** The pod's IP, once its network is set up. */
  readonly podIP?: string;
  readonly initContainers: readonly ContainerRuntimeStatus[];
  readonly containers: readonly ContainerRuntimeStatus[];
}

export interface PodRuntime {
  /** Runtime name and version for Node.status.nodeInfo.containerRuntimeVersion, e.g. "containerd://1.6.20". */
  readonly version: string;
  /** Whether the runtime and the pod network are up (the node is Ready only then). */
  ready(): Promise<boolean>;
  /** Converges the pod towards its spec (creating what is missing) and reports its state. */
  syncPod(pod: Pod, podCIDR: string | undefined): Promise<PodRuntimeStatus>;
  /** Stops the pod's containers within the grace period and removes everything it had. */
  killPod(pod: Pod, gracePeriodSeconds: number): Promise<void>;
  /** Pods (by uid) the runtime still has, to clean up after restarts. */
  runningPods(): Promise<string[]>;
}
