/**
 * What the pieces of `ContainerdRuntime` share: its options (the parts it is built from) and its
 * state across syncs (back-offs, cached container records, probes, wake-up timers). Passed to the
 * helpers of one sync (`pod-sandbox.ts`, `container-sync.ts`, `pod-cleanup.ts`).
 */
import type { EventRecorder } from "../../client/event-recorder.ts";
import type { Clock } from "../../machinery/clock.ts";
import type { Logger } from "../../machinery/log.ts";
import type { ImageService, RuntimeService } from "../cri/types.ts";
import type { NodeDnsSettings } from "../dns-config.ts";
import type { PodObjects } from "../pod-objects.ts";
import type { Pod } from "../pod-source.ts";
import type { VolumeManager } from "../volumes/volume-manager.ts";
import type { Backoff } from "./backoff.ts";
import type { ContainerRecord } from "./container-status.ts";
import type { ImageManager, PodEvent } from "./image-manager.ts";
import type { CgroupCleaner } from "./pod-cgroups.ts";
import type { Prober } from "./prober.ts";
import type { StartGate } from "./start-gate.ts";

export interface NodeInfo {
  readonly name: string;
  readonly internalIP: string;
  readonly allocatable: Readonly<Record<string, string>>;
  readonly memoryCapacityBytes: number;
}

export interface ContainerdRuntimeOptions {
  readonly runtime: RuntimeService;
  readonly images: ImageService;
  readonly objects: PodObjects;
  readonly volumes: VolumeManager;
  readonly cgroups: CgroupCleaner;
  /** e.g. "containerd://1.6.20~ds1", from CRI Version. */
  readonly version: string;
  readonly node: NodeInfo;
  /** Where container logs go (upstream /var/log/pods). */
  readonly podLogsDir: string;
  readonly dns: NodeDnsSettings;
  readonly clusterDomain?: string;
  readonly cgroupRoot?: string;
  /** The node's /etc/hosts, copied for host-network pods. */
  readonly hostHostsFile?: string;
  readonly clock?: Clock;
  readonly log?: Logger;
  readonly recorder?: EventRecorder;
  /** Wakes the kubelet's worker for a pod ("namespace/name"). */
  readonly onChange: (podKey: string) => void;
  /** Sets up the pod network for the node's pod CIDR (the agent writes the CNI config). */
  readonly onPodCIDR?: (podCIDR: string) => Promise<void>;
  /** Pods inside the CRI calls that start them at once (`StartGate`; default two per core). */
  readonly startConcurrency?: number;
}

export interface RuntimeDeps {
  readonly o: ContainerdRuntimeOptions;
  readonly clock: Clock;
  readonly log: Logger;
  /** Container restart back-off (CrashLoopBackOff). */
  readonly backoff: Backoff;
  readonly images: ImageManager;
  readonly prober: Prober;
  /** Pods start their sandboxes and containers a few at a time, the first seen first. */
  readonly gate: StartGate;
  /** Container records by id (statuses of exited and running containers do not change). */
  readonly records: Map<string, ContainerRecord>;
  /** Re-syncs the pod after `ms`. */
  wakeAfter(pod: Pod, ms: number): void;
  event(pod: Pod): PodEvent;
  podDir(uid: string): string;
}

export const podKey = (pod: Pod) => `${pod.metadata?.namespace}/${pod.metadata?.name}`;
