/**
 * Informer events into the cache and the queue (upstream `eventhandlers.go`): assigned pods and
 * nodes update the cache; unassigned pods for this scheduler go to the queue; any change that
 * could make parked pods fit (a node added or changed in a relevant way, a pod deleted, volumes
 * changing) moves them back to be tried.
 */
import type {
  Namespace,
  Node,
  PersistentVolume,
  PersistentVolumeClaim,
  Pod,
  StorageClass,
} from "../api/generated/types.ts";
import type { Informer } from "../client/informer.ts";
import type { ActionType, EventResource } from "./framework/interface.ts";
import type { SchedulerCore } from "./scheduler-core.ts";

export interface SchedulerInformers {
  readonly pods: Informer<Pod>;
  readonly nodes: Informer<Node>;
  readonly pvs: Informer<PersistentVolume>;
  readonly pvcs: Informer<PersistentVolumeClaim>;
  readonly storageClasses: Informer<StorageClass>;
  readonly namespaces: Informer<Namespace>;
}

const terminal = (p: Pod) => p.status?.phase === "Succeeded" || p.status?.phase === "Failed";
const assigned = (p: Pod) => Boolean(p.spec?.nodeName);
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** Which node changes matter to scheduling (upstream `nodeSchedulingPropertiesChange`). */
export function nodeUpdateActions(old: Node, node: Node): ActionType[] {
  const actions: ActionType[] = [];
  if (!same(old.status?.allocatable, node.status?.allocatable))
    actions.push("UpdateNodeAllocatable");
  if (!same(old.metadata?.labels, node.metadata?.labels)) actions.push("UpdateNodeLabel");
  if (
    !same(old.spec?.taints, node.spec?.taints) ||
    Boolean(old.spec?.unschedulable) !== Boolean(node.spec?.unschedulable)
  ) {
    actions.push("UpdateNodeTaint");
  }
  const conditions = (n: Node) => (n.status?.conditions ?? []).map((c) => `${c.type}=${c.status}`);
  if (!same(conditions(old), conditions(node))) actions.push("UpdateNodeCondition");
  return actions;
}

export function addAllEventHandlers(
  core: SchedulerCore,
  informers: SchedulerInformers,
  schedulerName: string,
): void {
  const { cache, queue, framework } = core;
  const move = (resource: EventResource, action: ActionType) =>
    queue.moveAllToActiveOrBackoffQueue({ resource, action });
  const responsible = (p: Pod) => (p.spec?.schedulerName ?? "default-scheduler") === schedulerName;

  const addAssigned = (p: Pod) => cache.addPod(framework.podInfo(p), p.spec?.nodeName ?? "");
  const removeAssigned = (p: Pod) => {
    cache.removePod(framework.podInfo(p).uid);
    move("AssignedPod", "Delete");
  };

  informers.pods.addHandlers({
    onAdd(p) {
      if (terminal(p)) return;
      if (assigned(p)) {
        addAssigned(p);
        move("AssignedPod", "Add");
      } else if (responsible(p) && !p.metadata?.deletionTimestamp) queue.add(p);
    },
    onUpdate(old, p) {
      if (assigned(p)) {
        if (!assigned(old)) queue.delete(old);
        if (terminal(p)) {
          if (!terminal(old)) removeAssigned(p);
          return;
        }
        addAssigned(p);
        if (!assigned(old)) move("AssignedPod", "Add");
        else if (!same(old.metadata?.labels, p.metadata?.labels))
          move("AssignedPod", "UpdatePodLabel");
      } else if (responsible(p)) {
        if (terminal(p) || p.metadata?.deletionTimestamp) queue.delete(p);
        else queue.update(old, p);
      }
    },
    onDelete(p) {
      if (assigned(p)) removeAssigned(p);
      else queue.delete(p);
    },
  });

  informers.nodes.addHandlers({
    onAdd(n) {
      cache.addNode(n);
      move("Node", "Add");
    },
    onUpdate(old, n) {
      cache.updateNode(n);
      for (const action of nodeUpdateActions(old, n)) move("Node", action);
    },
    onDelete(n) {
      cache.removeNode(n);
      move("Node", "Delete");
    },
  });

  const volumeEvents = <T>(informer: Informer<T & object>, resource: EventResource) =>
    informer.addHandlers({
      onAdd: () => move(resource, "Add"),
      onUpdate: () => move(resource, "Update"),
    });
  volumeEvents(informers.pvs, "PersistentVolume");
  volumeEvents(informers.pvcs, "PersistentVolumeClaim");
  volumeEvents(informers.storageClasses, "StorageClass");
  informers.namespaces.addHandlers({
    onAdd: () => move("Namespace", "Add"),
    onUpdate: (old, ns) => {
      if (!same(old.metadata?.labels, ns.metadata?.labels)) move("Namespace", "Update");
    },
  });
}
