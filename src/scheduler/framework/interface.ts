/**
 * The scheduling framework's extension points, one small interface each (upstream
 * `framework/interface.go`). A plugin implements the ones it needs; the framework finds them by
 * the methods present. Every method answers with a Status — "does not fit" is never thrown.
 *
 * Must not import the client or API server: plugins reach the cluster only through `Handle`.
 */
import type {
  Namespace,
  PersistentVolume,
  PersistentVolumeClaim,
  Pod,
  PodCondition,
  PodDisruptionBudget,
  StorageClass,
} from "../../api/generated/types.ts";
import type { EventRecorder } from "../../client/event-recorder.ts";
import type { Clock } from "../../machinery/clock.ts";
import type { Logger } from "../../machinery/log.ts";
import type { CycleState } from "./cycle-state.ts";
import type { NodeInfo } from "./node-info.ts";
import type { NodeToStatus } from "./node-to-status.ts";
import type { PodInfo } from "./pod-info.ts";
import type { Status } from "./status.ts";

export const maxNodeScore = 100;

export interface Plugin {
  readonly name: string;
  /** Cluster events that may make a pod this plugin rejected schedulable (EnqueueExtensions). */
  eventsToRegister?(): readonly ClusterEvent[];
}

export interface PreFilterResult {
  readonly status: Status;
  /** When set, only these nodes need to be filtered. */
  readonly nodeNames?: ReadonlySet<string>;
}

export interface PreFilterExtensions {
  addPod(state: CycleState, pod: PodInfo, toAdd: PodInfo, node: NodeInfo): Status;
  removePod(state: CycleState, pod: PodInfo, toRemove: PodInfo, node: NodeInfo): Status;
}

export interface PreFilterPlugin extends Plugin {
  preFilter(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[]): PreFilterResult;
  readonly preFilterExtensions?: PreFilterExtensions;
}

export interface FilterPlugin extends Plugin {
  filter(state: CycleState, pod: PodInfo, node: NodeInfo): Status;
}

export interface PostFilterResult {
  readonly status: Status;
  /** Set: nominate this node ("" clears the nomination); absent: leave it unchanged. */
  readonly nominatedNodeName?: string;
}

export interface PostFilterPlugin extends Plugin {
  postFilter(state: CycleState, pod: PodInfo, statuses: NodeToStatus): PostFilterResult;
}

export interface PreScorePlugin extends Plugin {
  preScore(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[]): Status;
}

export interface NodeScore {
  readonly name: string;
  score: number;
}

export interface ScorePlugin extends Plugin {
  /** 0..maxNodeScore (before normalizing), or a Status on error. */
  score(state: CycleState, pod: PodInfo, node: NodeInfo): number | Status;
  normalizeScore?(state: CycleState, pod: PodInfo, scores: NodeScore[]): Status;
}

export interface ReservePlugin extends Plugin {
  reserve(state: CycleState, pod: PodInfo, nodeName: string): Status;
  unreserve(state: CycleState, pod: PodInfo, nodeName: string): void;
}

export interface PreBindPlugin extends Plugin {
  preBind(state: CycleState, pod: PodInfo, nodeName: string): Promise<Status>;
}

export interface BindPlugin extends Plugin {
  /** Skip hands the pod to the next bind plugin. */
  bind(state: CycleState, pod: PodInfo, nodeName: string): Promise<Status>;
}

export type EventResource =
  | "Pod"
  | "AssignedPod"
  | "Node"
  | "PersistentVolume"
  | "PersistentVolumeClaim"
  | "StorageClass"
  | "Namespace"
  | "PodDisruptionBudget"
  | "WildCard";

export type ActionType =
  | "Add"
  | "Delete"
  | "Update"
  | "UpdateNodeAllocatable"
  | "UpdateNodeLabel"
  | "UpdateNodeTaint"
  | "UpdateNodeCondition"
  | "UpdatePodLabel"
  | "All";

export interface ClusterEvent {
  readonly resource: EventResource;
  readonly action: ActionType;
}

/** Read access to informer caches. */
export interface Lister<T> {
  get(namespace: string, name: string): T | undefined;
  list(namespace?: string): T[];
}

export interface Listers {
  readonly pvcs: Lister<PersistentVolumeClaim>;
  readonly pvs: Lister<PersistentVolume>;
  readonly storageClasses: Lister<StorageClass>;
  readonly pdbs: Lister<PodDisruptionBudget>;
  readonly namespaces: Lister<Namespace>;
}

/** The API writes the scheduler makes; a fake stands in for it in tests. */
export interface ClusterApi {
  bind(pod: Pod, nodeName: string): Promise<void>;
  /** Sets a pod condition and/or status.nominatedNodeName ("" clears it). */
  updatePodStatus(
    pod: Pod,
    update: { condition?: PodCondition; nominatedNodeName?: string },
  ): Promise<void>;
  /** Deletes a preemption victim (default grace period, as upstream). */
  deletePod(pod: Pod): Promise<void>;
  /** Merge-patches an object at an API path (volume binding). */
  patch(path: string, body: unknown): Promise<void>;
}

/** The nodes and pods of this cycle (upstream `SharedLister`). */
export interface Snapshot {
  nodeInfos(): readonly NodeInfo[];
  get(nodeName: string): NodeInfo | undefined;
  havePodsWithAffinityList(): readonly NodeInfo[];
  havePodsWithRequiredAntiAffinityList(): readonly NodeInfo[];
}

/** Pods nominated to nodes by preemption, which lower-priority pods must leave room for. */
export interface Nominator {
  nominatedPodsForNode(nodeName: string): readonly PodInfo[];
}

/** What plugins may use (upstream `framework.Handle`). */
export interface Handle {
  readonly schedulerName: string;
  readonly snapshot: Snapshot;
  readonly listers: Listers;
  readonly api: ClusterApi;
  readonly events: EventRecorder;
  readonly clock: Clock;
  readonly log: Logger;
  readonly nominator: Nominator;
  /** The pod's priority: spec.priority, else its PriorityClass, else the default. */
  podInfo(pod: Pod): PodInfo;
  runFilterPluginsWithNominatedPods(state: CycleState, pod: PodInfo, node: NodeInfo): Status;
  runPreFilterExtensionAddPod(
    state: CycleState,
    pod: PodInfo,
    toAdd: PodInfo,
    node: NodeInfo,
  ): Status;
  runPreFilterExtensionRemovePod(
    state: CycleState,
    pod: PodInfo,
    toRemove: PodInfo,
    node: NodeInfo,
  ): Status;
}

export type PluginFactory = (handle: Handle, args: unknown) => Plugin;
