/**
 * Placing daemon pods (upstream `manage`, `podsShouldBeOnNode`, `syncNodes`): a pod on every node
 * that should run one, none on nodes that should not (or whose NoExecute taints it does not
 * tolerate), failed pods replaced with back-off, duplicates pruned, and pods pinned to nodes that
 * no longer exist removed. Creates go out in slow-start batches under expectations.
 */
import type { DaemonSet, Node } from "../../api/generated/types.ts";
import type { KubeObject } from "../../api/object.ts";
import type { EventRecorder } from "../../client/event-recorder.ts";
import type { RestClient } from "../../client/rest-client.ts";
import { isStatusError } from "../../machinery/status.ts";
import type { ControllerExpectations } from "../common/expectations.ts";
import type { Pod } from "../common/objects.ts";
import { createPod, deletePod, isNamespaceTerminating } from "../common/pod-control.ts";
import { isPodReady } from "../common/pod-utils.ts";
import { slowStartBatch, slowStartInitialBatchSize } from "../common/slow-start.ts";
import { newControllerRef } from "../history/controller-revision.ts";
import {
  allowsSurge,
  byCreationTimestampAndPhase,
  createPodTemplate,
  daemonSetKind,
  daemonSetUniqueLabel,
  replaceNodeNameNodeAffinity,
} from "./daemon-set-util.ts";
import type { FailedPodsBackoff } from "./failed-pods-backoff.ts";
import { nodeShouldRunDaemonPod } from "./node-predicates.ts";

/** Upstream `BurstReplicas`: the most creates or deletes one sync asks for. */
const burstReplicas = 250;

export interface DaemonSetDeps {
  readonly client: RestClient;
  readonly recorder: EventRecorder;
  readonly creations: ControllerExpectations;
  readonly deletions: ControllerExpectations;
  readonly backoff: FailedPodsBackoff;
  readonly enqueueAfter: (ds: DaemonSet, ms: number) => void;
}

export type NodeToDaemonPods = Map<string, Pod[]>;

interface NodeWork {
  readonly create: string[];
  readonly remove: Pod[];
}

/** `podsShouldBeOnNode`. */
function podsShouldBeOnNode(
  deps: DaemonSetDeps,
  node: Node,
  pods: readonly Pod[] | undefined,
  ds: DaemonSet,
  hash: string,
): NodeWork {
  const name = node.metadata?.name ?? "";
  const { shouldRun, shouldContinueRunning } = nodeShouldRunDaemonPod(node, ds);
  const work: NodeWork = { create: [], remove: [] };
  if (shouldRun && !pods?.length) {
    work.create.push(name);
  } else if (shouldContinueRunning && pods) {
    const running: Pod[] = [];
    for (const pod of pods) {
      if (pod.metadata?.deletionTimestamp) continue;
      const phase = pod.status?.phase;
      if (phase === "Failed" || phase === "Succeeded") {
        const backoffKey = `${ds.metadata?.uid}/${name}`;
        const wait = phase === "Failed" ? deps.backoff.inBackoff(backoffKey) : undefined;
        if (wait !== undefined) {
          deps.enqueueAfter(ds, wait);
          continue;
        }
        if (phase === "Failed") {
          deps.backoff.next(backoffKey);
          const msg = `Found failed daemon pod ${pod.metadata?.namespace}/${pod.metadata?.name} on node ${name}, will try to kill it`;
          deps.recorder.event(ds as KubeObject, "Warning", "FailedDaemonPod", msg);
        }
        work.remove.push(pod);
      } else running.push(pod);
    }
    work.remove.push(...excessPods(ds, running, hash));
  } else if (!shouldContinueRunning && pods) {
    work.remove.push(...pods.filter((p) => !p.metadata?.deletionTimestamp));
  }
  return work;
}

/**
 * Without surge, all but the oldest running pod go. With surge, the oldest pod at the current
 * hash and the oldest old pod may both stay while the new one is not ready yet.
 */
function excessPods(ds: DaemonSet, running: Pod[], hash: string): Pod[] {
  if (running.length <= 1) return [];
  running.sort(byCreationTimestampAndPhase);
  if (!allowsSurge(ds)) return running.slice(1);
  const remove: Pod[] = [];
  let oldestNew: Pod | undefined;
  let oldestOld: Pod | undefined;
  for (const pod of running) {
    const isNew = pod.metadata?.labels?.[daemonSetUniqueLabel] === hash;
    if (isNew && !oldestNew) oldestNew = pod;
    else if (!isNew && !oldestOld) oldestOld = pod;
    else remove.push(pod);
  }
  if (oldestNew && oldestOld && (!isPodReady(oldestOld) || isPodReady(oldestNew))) {
    remove.push(oldestOld);
  }
  return remove;
}

/** `manage`: computes and applies what every node needs. */
export async function manage(options: {
  deps: DaemonSetDeps;
  ds: DaemonSet;
  nodes: readonly Node[];
  nodeToDaemonPods: NodeToDaemonPods;
  hash: string;
}): Promise<void> {
  const { deps, ds, nodes, nodeToDaemonPods, hash } = options;
  const create: string[] = [];
  const remove: Pod[] = [];
  for (const node of nodes) {
    const work = podsShouldBeOnNode(
      deps,
      node,
      nodeToDaemonPods.get(node.metadata?.name ?? ""),
      ds,
      hash,
    );
    create.push(...work.create);
    remove.push(...work.remove);
  }
  // `getUnscheduledPodsWithoutNode`: pods pinned to a deleted node are never scheduled.
  const existing = new Set(nodes.map((n) => n.metadata?.name ?? ""));
  for (const [node, pods] of nodeToDaemonPods) {
    if (!existing.has(node)) remove.push(...pods.filter((p) => !p.spec?.nodeName));
  }
  await syncNodes({ deps, ds, remove, create, hash });
}

/** `syncNodes`: deletes and creates under expectations; creates in slow-start batches. */
export async function syncNodes(options: {
  deps: DaemonSetDeps;
  ds: DaemonSet;
  remove: readonly Pod[];
  create: readonly string[];
  hash: string;
}): Promise<void> {
  const { deps, ds, hash } = options;
  const key = `${ds.metadata?.namespace}/${ds.metadata?.name}`;
  const create = options.create.slice(0, burstReplicas);
  const remove = options.remove.slice(0, burstReplicas);
  const podKey = (p: Pod) => `${p.metadata?.namespace}/${p.metadata?.name}`;
  deps.creations.expectCreations(key, create.length);
  deps.deletions.expectDeletions(key, remove.map(podKey));
  const errors: unknown[] = [];
  const template = createPodTemplate(ds.spec!.template, hash);
  const control = { client: deps.client, recorder: deps.recorder };
  const parent = ds as KubeObject;
  const namespace = ds.metadata?.namespace ?? "";
  let next = 0;
  const createOne = async () => {
    const node = create[next++] ?? "";
    const podTemplate = structuredClone(template);
    podTemplate.spec!.affinity = replaceNodeNameNodeAffinity(podTemplate.spec?.affinity, node);
    const controllerRef = newControllerRef(ds, daemonSetKind);
    try {
      await createPod(control, { namespace, template: podTemplate, parent, controllerRef });
    } catch (err) {
      deps.creations.creationObserved(key);
      if (!isNamespaceTerminating(err)) throw err;
    }
  };
  const result = await slowStartBatch(create.length, slowStartInitialBatchSize, createOne);
  if (result.error !== undefined) errors.push(result.error);
  for (let skipped = create.length - next; skipped > 0; skipped--)
    deps.creations.creationObserved(key);
  await Promise.all(
    remove.map(async (pod) => {
      try {
        await deletePod(control, { namespace, name: pod.metadata?.name ?? "", parent });
      } catch (err) {
        deps.deletions.deletionObserved(key, podKey(pod));
        if (!isStatusError(err, "NotFound")) errors.push(err);
      }
    }),
  );
  if (errors.length > 0) throw new AggregateError(errors, errors.map(String).join("; "));
}
