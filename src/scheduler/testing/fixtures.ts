/**
 * Builders and fakes for scheduler tests: nodes and pods in a line, listers over maps, a
 * ClusterApi that records writes instead of sending them, and an event recorder that keeps
 * events in memory.
 */
import type {
  Affinity,
  Node,
  Pod,
  PodCondition,
  Taint,
  Toleration,
  TopologySpreadConstraint,
  Volume,
} from "../../api/generated/types.ts";
import type { EventRecorder, EventType } from "../../client/event-recorder.ts";
import { FakeClock } from "../../machinery/clock.ts";
import { silentLogger } from "../../machinery/log.ts";
import type { ClusterApi, Lister, Listers } from "../framework/interface.ts";
import { newNodeInfo } from "../framework/node-info.ts";
import { newPodInfo } from "../framework/pod-info.ts";
import type { Profile } from "../framework/registry.ts";
import { defaultProfile, inTreeRegistry } from "../plugins/registry.ts";
import { podPriority } from "../priority.ts";
import { newSchedulerCore, type SchedulerCore } from "../scheduler-core.ts";

export interface NodeOptions {
  cpu?: string;
  memory?: string;
  pods?: string;
  labels?: Record<string, string>;
  taints?: Taint[];
  unschedulable?: boolean;
  allocatable?: Record<string, string>;
}

export function makeNode(name: string, o: NodeOptions = {}): Node {
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: {
      name,
      uid: `node-${name}`,
      labels: { "kubernetes.io/hostname": name, ...o.labels },
    },
    spec: {
      ...(o.taints ? { taints: o.taints } : {}),
      ...(o.unschedulable ? { unschedulable: true } : {}),
    },
    status: {
      allocatable: {
        cpu: o.cpu ?? "4",
        memory: o.memory ?? "8Gi",
        pods: o.pods ?? "110",
        ...o.allocatable,
      },
      conditions: [{ type: "Ready", status: "True" }],
    },
  };
}

export interface PodOptions {
  namespace?: string;
  uid?: string;
  cpu?: string;
  memory?: string;
  requests?: Record<string, string>;
  labels?: Record<string, string>;
  priority?: number;
  priorityClassName?: string;
  nodeName?: string;
  schedulerName?: string;
  tolerations?: Toleration[];
  affinity?: Affinity;
  nodeSelector?: Record<string, string>;
  hostPorts?: number[];
  spread?: TopologySpreadConstraint[];
  volumes?: Volume[];
  nominatedNodeName?: string;
  startTime?: string;
}

let uidCounter = 0;

export function makePod(name: string, o: PodOptions = {}): Pod {
  const requests: Record<string, string> = { ...o.requests };
  if (o.cpu) requests.cpu = o.cpu;
  if (o.memory) requests.memory = o.memory;
  const ports = (o.hostPorts ?? []).map((p) => ({ containerPort: p, hostPort: p }));
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name,
      namespace: o.namespace ?? "default",
      uid: o.uid ?? `uid-${name}-${++uidCounter}`,
      ...(o.labels ? { labels: o.labels } : {}),
    },
    spec: {
      containers: [
        {
          name: "c",
          image: "busybox",
          ...(Object.keys(requests).length ? { resources: { requests } } : {}),
          ...(ports.length ? { ports } : {}),
        },
      ],
      ...(o.priority !== undefined ? { priority: o.priority } : {}),
      ...(o.priorityClassName ? { priorityClassName: o.priorityClassName } : {}),
      ...(o.nodeName ? { nodeName: o.nodeName } : {}),
      ...(o.schedulerName ? { schedulerName: o.schedulerName } : {}),
      ...(o.tolerations ? { tolerations: o.tolerations } : {}),
      ...(o.affinity ? { affinity: o.affinity } : {}),
      ...(o.nodeSelector ? { nodeSelector: o.nodeSelector } : {}),
      ...(o.spread ? { topologySpreadConstraints: o.spread } : {}),
      ...(o.volumes ? { volumes: o.volumes } : {}),
    },
    status: {
      phase: "Pending",
      ...(o.nominatedNodeName ? { nominatedNodeName: o.nominatedNodeName } : {}),
      ...(o.startTime ? { startTime: o.startTime } : {}),
    },
  };
}

export class MapLister<T extends { metadata?: { name?: string; namespace?: string } }>
  implements Lister<T>
{
  readonly items = new Map<string, T>();
  constructor(items: T[] = []) {
    for (const i of items) this.set(i);
  }
  set(item: T): void {
    this.items.set(`${item.metadata?.namespace ?? ""}/${item.metadata?.name}`, item);
  }
  get(namespace: string, name: string): T | undefined {
    return this.items.get(`${namespace}/${name}`);
  }
  list(namespace?: string): T[] {
    const all = [...this.items.values()];
    return namespace === undefined
      ? all
      : all.filter((i) => (i.metadata?.namespace ?? "") === namespace);
  }
}

export const emptyListers = (): Listers => ({
  pvcs: new MapLister(),
  pvs: new MapLister(),
  storageClasses: new MapLister(),
  pdbs: new MapLister(),
  namespaces: new MapLister(),
});

/** Records writes; `bindDelayMs` simulates API latency; `failBind` rejects bindings. */
export class FakeApi implements ClusterApi {
  readonly binds: { pod: Pod; node: string }[] = [];
  readonly statusUpdates: { pod: Pod; condition?: PodCondition; nominatedNodeName?: string }[] = [];
  readonly deletes: Pod[] = [];
  readonly patches: { path: string; body: unknown }[] = [];
  failBind: ((pod: Pod) => Error | undefined) | undefined;
  bindDelayMs = 0;
  async bind(pod: Pod, node: string): Promise<void> {
    if (this.bindDelayMs) await new Promise((r) => setTimeout(r, this.bindDelayMs));
    const err = this.failBind?.(pod);
    if (err) throw err;
    this.binds.push({ pod, node });
  }
  async updatePodStatus(
    pod: Pod,
    update: { condition?: PodCondition; nominatedNodeName?: string },
  ) {
    this.statusUpdates.push({ pod, ...update });
  }
  async deletePod(pod: Pod): Promise<void> {
    this.deletes.push(pod);
  }
  async patch(path: string, body: unknown): Promise<void> {
    this.patches.push({ path, body });
  }
}

export class MemoryEvents implements EventRecorder {
  readonly events: { name: string; type: EventType; reason: string; message: string }[] = [];
  event(obj: { metadata?: { name?: string } }, type: EventType, reason: string, message: string) {
    this.events.push({ name: obj.metadata?.name ?? "", type, reason, message });
  }
}

export interface TestCore extends SchedulerCore {
  readonly api: FakeApi;
  readonly events: MemoryEvents;
  readonly listers: Listers;
  readonly clock: FakeClock;
  /** Pods as the informer would have them (unassigned ones the test added). */
  readonly pods: Map<string, Pod>;
  addNode(node: Node): void;
  /** Adds a pending pod to the queue, or an assigned one to the cache. */
  addPod(pod: Pod): void;
}

export function newTestCore(
  o: { profile?: Profile; listers?: Listers; seed?: number } = {},
): TestCore {
  const api = new FakeApi();
  const events = new MemoryEvents();
  const listers = o.listers ?? emptyListers();
  const clock = new FakeClock();
  const pods = new Map<string, Pod>();
  let seed = o.seed ?? 42;
  const core = newSchedulerCore({
    profile: o.profile ?? defaultProfile(),
    registry: inTreeRegistry,
    listers,
    api,
    events,
    clock,
    log: silentLogger,
    priorityOf: (pod) => podPriority(pod),
    currentPod: (ns, name) => pods.get(`${ns}/${name}`),
    random: () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    },
  });
  return {
    ...core,
    api,
    events,
    listers,
    clock,
    pods,
    addNode: (node) => core.cache.addNode(node),
    addPod(pod) {
      pods.set(`${pod.metadata?.namespace}/${pod.metadata?.name}`, pod);
      if (pod.spec?.nodeName) core.cache.addPod(core.framework.podInfo(pod), pod.spec.nodeName);
      else core.queue.add(pod);
    },
  };
}

/** A PodInfo for plugin tests (priority from spec.priority). */
export const podInfo = (pod: Pod) => newPodInfo(pod, pod.spec?.priority ?? 0);

/** A NodeInfo holding these pods (assigned to it). */
export const nodeInfo = (node: Node, ...pods: Pod[]) => newNodeInfo(node, ...pods.map(podInfo));
