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
  /** Whether the startup probe (if any) has passed; defaults to "running". */
  readonly started?: boolean;
  readonly image: string;
  readonly imageID: string;
  readonly containerID: string;
  readonly lastTermination?: {
    exitCode: number;
    reason: string;
    message?: string;
    startedAt: number;
    finishedAt: number;
    /** The id of the container that ended (defaults to containerID). */
    containerID?: string;
  };
}

export interface PodRuntimeStatus {
  /** The pod's IP, once its network is set up. */
  readonly podIP?: string;
  readonly initContainers: readonly ContainerRuntimeStatus[];
  readonly containers: readonly ContainerRuntimeStatus[];
  /** `kubectl debug`'s containers (absent when the runtime runs none). */
  readonly ephemeralContainers?: readonly ContainerRuntimeStatus[];
}

export interface PodRuntime {
  /** Runtime name and version for Node.status.nodeInfo.containerRuntimeVersion, e.g. "containerd://1.6.20". */
  readonly version: string;
  /** Whether the runtime and the pod network are up (the node is Ready only then). */
  ready(): Promise<boolean>;
  /** Converges the pod towards its spec (creating what is missing) and reports its state. */
  syncPod(pod: Pod, podCIDR: string | undefined): Promise<PodRuntimeStatus>;
  /**
   * Stops the pod's containers within the grace period and removes everything it had. Without a
   * grace period the runtime uses the pod's (or what it recorded when it started the containers).
   */
  killPod(pod: Pod, gracePeriodSeconds?: number): Promise<void>;
  /**
   * Stops a pod that reached Succeeded or Failed (its sandbox and network go) but keeps its
   * containers' logs and status until the pod is deleted. Defaults to killPod(pod, 0).
   */
  stopPod?(pod: Pod): Promise<void>;
  /** Tells the runtime the node's pod CIDR once it is known (upstream UpdateRuntimeConfig). */
  updatePodCIDR?(podCIDR: string): Promise<void>;
  /** Pods (by uid) the runtime still has, to clean up after restarts. */
  runningPods(): Promise<string[]>;
}
