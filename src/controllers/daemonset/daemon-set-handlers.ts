/**
 * The DaemonSet controller's informer handlers (upstream `addPod`, `updatePod`, `deletePod`,
 * `addNode`, `updateNode`, `addHistory`…): they only record what expectations observed and
 * enqueue the keys of the DaemonSets concerned.
 */
import type { ControllerRevision, DaemonSet, Node } from "../../api/generated/types.ts";
import type { KubeObject } from "../../api/object.ts";
import { type Informer, keyOf } from "../../client/informer.ts";
import type { WorkQueue } from "../../client/work-queue.ts";
import { selectorFromLabelSelector } from "../../machinery/labels.ts";
import { getControllerOf } from "../common/controller-ref.ts";
import type { Pod } from "../common/objects.ts";
import type { DaemonSetDeps } from "./daemon-set-manage.ts";
import { daemonSetKind } from "./daemon-set-util.ts";
import { nodeShouldRunDaemonPod } from "./node-predicates.ts";

type Labelled = { metadata?: { namespace?: string; labels?: Record<string, string> } };

export class DaemonSetEventHandlers {
  readonly #queue: WorkQueue<string>;
  readonly #sets: Informer<DaemonSet>;
  readonly #deps: DaemonSetDeps;

  constructor(options: {
    queue: WorkQueue<string>;
    sets: Informer<DaemonSet>;
    deps: DaemonSetDeps;
  }) {
    this.#queue = options.queue;
    this.#sets = options.sets;
    this.#deps = options.deps;
  }

  register(informers: {
    pods: Informer<Pod>;
    nodes: Informer<Node>;
    revisions: Informer<ControllerRevision & KubeObject>;
  }): void {
    const enqueue = (ds: DaemonSet) => this.#queue.add(keyOf(ds));
    this.#sets.addHandlers({ onAdd: enqueue, onUpdate: (_, ds) => enqueue(ds), onDelete: enqueue });
    informers.pods.addHandlers({
      onAdd: (pod) => this.#addPod(pod),
      onUpdate: (old, pod) => this.#updatePod(old, pod),
      onDelete: (pod) => this.#deletePod(pod),
    });
    informers.nodes.addHandlers({
      onAdd: (node) => {
        for (const ds of this.#sets.list())
          if (nodeShouldRunDaemonPod(node, ds).shouldRun) enqueue(ds);
      },
      onUpdate: (old, node) => {
        for (const ds of this.#sets.list()) {
          const [a, b] = [nodeShouldRunDaemonPod(old, ds), nodeShouldRunDaemonPod(node, ds)];
          if (a.shouldRun !== b.shouldRun || a.shouldContinueRunning !== b.shouldContinueRunning) {
            enqueue(ds);
          }
        }
      },
      onDelete: () => {
        for (const ds of this.#sets.list()) enqueue(ds);
      },
    });
    const onRevision = (rev: KubeObject) => this.#enqueueFor(rev);
    informers.revisions.addHandlers({
      onAdd: onRevision,
      onUpdate: (_, rev) => onRevision(rev),
      onDelete: onRevision,
    });
  }

  /** `resolveControllerRef`: the DaemonSet the controller ref names, if its uid still matches. */
  #owner(obj: KubeObject): DaemonSet | undefined {
    const ref = getControllerOf(obj);
    if (!ref || ref.kind !== daemonSetKind.kind) return undefined;
    const ds = this.#sets.get(obj.metadata?.namespace ?? "", ref.name);
    return ds?.metadata?.uid === ref.uid ? ds : undefined;
  }

  /** The owning DaemonSet, or for an orphan every DaemonSet whose selector matches it. */
  #enqueueFor(obj: KubeObject): void {
    if (getControllerOf(obj)) {
      const ds = this.#owner(obj);
      if (ds) this.#queue.add(keyOf(ds));
      return;
    }
    for (const ds of this.#matching(obj)) this.#queue.add(keyOf(ds));
  }

  #matching(obj: Labelled): DaemonSet[] {
    return this.#sets.list(obj.metadata?.namespace ?? "").filter((ds) => {
      try {
        const selector = selectorFromLabelSelector(ds.spec?.selector);
        return !selector.isEmpty() && selector.matches(obj.metadata?.labels ?? {});
      } catch {
        return false;
      }
    });
  }

  #addPod(pod: Pod): void {
    if (pod.metadata?.deletionTimestamp) {
      this.#deletePod(pod);
      return;
    }
    const ds = this.#owner(pod);
    if (ds) this.#deps.creations.creationObserved(keyOf(ds));
    this.#enqueueFor(pod);
  }

  #updatePod(old: Pod, pod: Pod): void {
    const oldRef = getControllerOf(old);
    if (oldRef && oldRef.uid !== getControllerOf(pod)?.uid) this.#enqueueFor(old);
    if (pod.metadata?.deletionTimestamp) {
      this.#deletePod(pod);
      return;
    }
    this.#enqueueFor(pod);
  }

  #deletePod(pod: Pod): void {
    const ds = this.#owner(pod);
    if (!ds) return;
    const podKey = `${pod.metadata?.namespace}/${pod.metadata?.name}`;
    this.#deps.deletions.deletionObserved(keyOf(ds), podKey);
    this.#queue.add(keyOf(ds));
  }
}
