/**
 * The scheduler's view of nodes and the pods on them (upstream `internal/cache`), kept
 * incrementally from informer events plus the pods it has assumed: a pod is counted on its node
 * from the moment the scheduler picks the node, before the binding reaches the API, so the next
 * pod sees the room taken. A failed binding forgets it; the informer's copy confirms it.
 *
 * It is also the cycle's snapshot: a scheduling cycle runs synchronously on one thread, so
 * nothing changes under it and no per-cycle copy is needed (upstream copies because its informer
 * handlers run concurrently with the cycle).
 */
import type { Node } from "../../api/generated/types.ts";
import type { Snapshot } from "../framework/interface.ts";
import { NodeInfo } from "../framework/node-info.ts";
import { hasAffinity, type PodInfo } from "../framework/pod-info.ts";

interface PodState {
  info: PodInfo;
  nodeName: string;
  assumed: boolean;
}

export class SchedulerCache implements Snapshot {
  readonly #nodes = new Map<string, NodeInfo>();
  readonly #pods = new Map<string, PodState>();
  #list: NodeInfo[] | undefined;
  #affinityList: NodeInfo[] | undefined;
  #antiAffinityList: NodeInfo[] | undefined;

  #invalidate(lists: "all" | "affinity"): void {
    if (lists === "all") this.#list = undefined;
    this.#affinityList = undefined;
    this.#antiAffinityList = undefined;
  }

  #nodeInfo(name: string): NodeInfo {
    let ni = this.#nodes.get(name);
    if (!ni) {
      ni = new NodeInfo(name);
      this.#nodes.set(name, ni);
    }
    return ni;
  }

  addNode(node: Node): void {
    this.#nodeInfo(node.metadata?.name ?? "").setNode(node);
    this.#invalidate("all");
  }

  updateNode(node: Node): void {
    const ni = this.#nodeInfo(node.metadata?.name ?? "");
    const isNew = ni.node === undefined;
    ni.setNode(node);
    if (isNew) this.#invalidate("all");
  }

  removeNode(node: Node): void {
    const name = node.metadata?.name ?? "";
    const ni = this.#nodes.get(name);
    if (!ni) return;
    // Pods still counted on it keep a node-less NodeInfo until they are removed too.
    if (ni.pods.length === 0) this.#nodes.delete(name);
    else ni.node = undefined;
    this.#invalidate("all");
  }

  #place(info: PodInfo, nodeName: string, assumed: boolean): void {
    this.#nodeInfo(nodeName).addPod(info);
    this.#pods.set(info.uid, { info, nodeName, assumed });
    if (hasAffinity(info)) this.#invalidate("affinity");
  }

  #unplace(uid: string): PodState | undefined {
    const st = this.#pods.get(uid);
    if (!st) return undefined;
    this.#pods.delete(uid);
    const ni = this.#nodes.get(st.nodeName);
    if (ni) {
      ni.removePod(uid);
      if (!ni.node && ni.pods.length === 0) this.#nodes.delete(st.nodeName);
    }
    if (hasAffinity(st.info)) this.#invalidate("affinity");
    return st;
  }

  /** An assigned pod from the informer (confirms an assumed one). */
  addPod(info: PodInfo, nodeName: string): void {
    this.#unplace(info.uid);
    this.#place(info, nodeName, false);
  }

  updatePod(info: PodInfo, nodeName: string): void {
    this.addPod(info, nodeName);
  }

  removePod(uid: string): void {
    this.#unplace(uid);
  }

  /** Counts the pod on `nodeName` before its binding is confirmed. */
  assumePod(info: PodInfo, nodeName: string): void {
    if (this.#pods.has(info.uid)) throw new Error(`pod ${info.key} is already in the cache`);
    this.#place(info, nodeName, true);
  }

  /** Undoes `assumePod` after a failed binding (no-op once the informer confirmed it). */
  forgetPod(uid: string): void {
    if (this.#pods.get(uid)?.assumed) this.#unplace(uid);
  }

  isAssumed(uid: string): boolean {
    return this.#pods.get(uid)?.assumed ?? false;
  }

  /** The node a pod is counted on, if any. */
  nodeOf(uid: string): string | undefined {
    return this.#pods.get(uid)?.nodeName;
  }

  get numNodes(): number {
    return this.nodeInfos().length;
  }

  nodeInfos(): readonly NodeInfo[] {
    this.#list ??= [...this.#nodes.values()].filter((ni) => ni.node !== undefined);
    return this.#list;
  }

  get(nodeName: string): NodeInfo | undefined {
    const ni = this.#nodes.get(nodeName);
    return ni?.node ? ni : undefined;
  }

  havePodsWithAffinityList(): readonly NodeInfo[] {
    this.#affinityList ??= this.nodeInfos().filter((ni) => ni.podsWithAffinity.length > 0);
    return this.#affinityList;
  }

  havePodsWithRequiredAntiAffinityList(): readonly NodeInfo[] {
    this.#antiAffinityList ??= this.nodeInfos().filter(
      (ni) => ni.podsWithRequiredAntiAffinity.length > 0,
    );
    return this.#antiAffinityList;
  }
}
