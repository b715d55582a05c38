/**
 * Pods nominated to a node by preemption (status.nominatedNodeName), so that lower-priority
 * pods do not take the room freed for them (upstream `nominator`).
 */
import type { Nominator } from "../framework/interface.ts";
import type { PodInfo } from "../framework/pod-info.ts";

export class PodNominator implements Nominator {
  readonly #byNode = new Map<string, PodInfo[]>();
  readonly #nodeOf = new Map<string, string>();

  /** Records `nodeName` for the pod ("" or undefined: the pod's status.nominatedNodeName). */
  add(p: PodInfo, nodeName?: string): void {
    this.delete(p.uid);
    const node = nodeName || p.pod.status?.nominatedNodeName || "";
    if (!node || p.pod.spec?.nodeName) return;
    this.#nodeOf.set(p.uid, node);
    const list = this.#byNode.get(node) ?? [];
    list.push(p);
    this.#byNode.set(node, list);
  }

  delete(uid: string): void {
    const node = this.#nodeOf.get(uid);
    if (node === undefined) return;
    this.#nodeOf.delete(uid);
    const list = (this.#byNode.get(node) ?? []).filter((p) => p.uid !== uid);
    if (list.length > 0) this.#byNode.set(node, list);
    else this.#byNode.delete(node);
  }

  /** Keeps the nomination (if any) but points it at the newer pod object. */
  update(p: PodInfo): void {
    const node = this.#nodeOf.get(p.uid);
    if (p.pod.status?.nominatedNodeName) this.add(p);
    else if (node !== undefined) this.add(p, node);
  }

  nominatedNodeOf(uid: string): string | undefined {
    return this.#nodeOf.get(uid);
  }

  nominatedPodsForNode(nodeName: string): readonly PodInfo[] {
    return this.#byNode.get(nodeName) ?? [];
  }
}
