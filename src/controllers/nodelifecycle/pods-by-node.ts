/**
 * An index of the pod informer by `spec.nodeName` (upstream's `spec.nodeName` indexer), so the
 * node controllers find a node's pods without scanning every pod.
 */
import type { Pod } from "../../api/generated/types.ts";
import type { KubeObject } from "../../api/object.ts";
import { type Informer, keyOf } from "../../client/informer.ts";

type PodObj = Pod & KubeObject;

export class PodsByNode {
  readonly #pods: Informer<PodObj>;
  readonly #index = new Map<string, Set<string>>();

  constructor(pods: Informer<PodObj>) {
    this.#pods = pods;
    pods.addHandlers({
      onAdd: (p) => this.#add(p),
      onUpdate: (old, p) => {
        this.#remove(old);
        this.#add(p);
      },
      onDelete: (p) => this.#remove(p),
    });
  }

  #add(pod: PodObj): void {
    const node = pod.spec?.nodeName;
    if (!node) return;
    let keys = this.#index.get(node);
    if (!keys) {
      keys = new Set();
      this.#index.set(node, keys);
    }
    keys.add(keyOf(pod));
  }

  #remove(pod: PodObj): void {
    const node = pod.spec?.nodeName;
    if (!node) return;
    const keys = this.#index.get(node);
    keys?.delete(keyOf(pod));
    if (keys?.size === 0) this.#index.delete(node);
  }

  podsOn(nodeName: string): PodObj[] {
    const pods: PodObj[] = [];
    for (const key of this.#index.get(nodeName) ?? []) {
      const pod = this.#pods.getByKey(key);
      if (pod) pods.push(pod);
    }
    return pods;
  }
}
