/**
 * A node with the pods on it and what they use (upstream `framework.NodeInfo`): allocatable,
 * requested (as Filter counts it) and non-zero requested (as scoring counts it), host ports in
 * use, and the pods with (anti-)affinity that InterPodAffinity has to look at. Kept up to date
 * incrementally by the cache, so a scheduling cycle never walks every pod of the cluster.
 */
import type { Node, Taint } from "../../api/generated/types.ts";
import { type HostPort, hasAffinity, hasRequiredAntiAffinity, type PodInfo } from "./pod-info.ts";
import {
  addResource,
  cloneResource,
  emptyResource,
  type Resource,
  resourceFromList,
} from "./resource.ts";

let generationCounter = 0;
const nextGeneration = () => ++generationCounter;

export class NodeInfo {
  node: Node | undefined;
  name: string;
  labels: Readonly<Record<string, string>> = {};
  taints: readonly Taint[] = [];
  allocatable: Resource = emptyResource();
  requested: Resource = emptyResource();
  nonZeroRequested: Resource = emptyResource();
  pods: PodInfo[] = [];
  podsWithAffinity: PodInfo[] = [];
  podsWithRequiredAntiAffinity: PodInfo[] = [];
  /** `protocol/port` → host IPs bound. */
  usedPorts = new Map<string, Map<string, number>>();
  /** Bumped on every change. */
  generation = nextGeneration();

  constructor(name: string, node?: Node) {
    this.name = name;
    if (node) this.setNode(node);
  }

  setNode(node: Node): void {
    this.node = node;
    this.name = node.metadata?.name ?? this.name;
    this.labels = node.metadata?.labels ?? {};
    this.taints = node.spec?.taints ?? [];
    this.allocatable = resourceFromList(node.status?.allocatable);
    this.generation = nextGeneration();
  }

  addPod(p: PodInfo): void {
    this.pods.push(p);
    if (hasAffinity(p)) this.podsWithAffinity.push(p);
    if (hasRequiredAntiAffinity(p)) this.podsWithRequiredAntiAffinity.push(p);
    this.#account(p, 1);
  }

  /** Removes the pod with this uid; false if it is not here. */
  removePod(uid: string): boolean {
    const i = this.pods.findIndex((p) => p.uid === uid);
    if (i < 0) return false;
    const [p] = this.pods.splice(i, 1);
    if (!p) return false;
    const drop = (list: PodInfo[]) => {
      const j = list.findIndex((q) => q.uid === uid);
      if (j >= 0) list.splice(j, 1);
    };
    drop(this.podsWithAffinity);
    drop(this.podsWithRequiredAntiAffinity);
    this.#account(p, -1);
    return true;
  }

  #account(p: PodInfo, sign: 1 | -1): void {
    addResource(this.requested, p.requests, sign);
    this.nonZeroRequested.milliCPU += sign * p.nonZeroRequests.milliCPU;
    this.nonZeroRequested.memory += sign * p.nonZeroRequests.memory;
    for (const hp of p.hostPorts) {
      const key = `${hp.protocol}/${hp.port}`;
      let ips = this.usedPorts.get(key);
      if (!ips) {
        ips = new Map();
        this.usedPorts.set(key, ips);
      }
      const n = (ips.get(hp.ip) ?? 0) + sign;
      if (n > 0) ips.set(hp.ip, n);
      else ips.delete(hp.ip);
      if (ips.size === 0) this.usedPorts.delete(key);
    }
    this.generation = nextGeneration();
  }

  /** Would binding `hp` conflict with a port in use? 0.0.0.0 conflicts with every address. */
  portConflicts(hp: HostPort): boolean {
    const ips = this.usedPorts.get(`${hp.protocol}/${hp.port}`);
    if (!ips) return false;
    if (hp.ip === "0.0.0.0") return ips.size > 0;
    return ips.has(hp.ip) || ips.has("0.0.0.0");
  }

  /** A deep enough copy to add and remove pods on (preemption dry runs). */
  clone(): NodeInfo {
    const c = new NodeInfo(this.name);
    c.node = this.node;
    c.labels = this.labels;
    c.taints = this.taints;
    c.allocatable = this.allocatable;
    c.requested = cloneResource(this.requested);
    c.nonZeroRequested = cloneResource(this.nonZeroRequested);
    c.pods = [...this.pods];
    c.podsWithAffinity = [...this.podsWithAffinity];
    c.podsWithRequiredAntiAffinity = [...this.podsWithRequiredAntiAffinity];
    c.usedPorts = new Map([...this.usedPorts].map(([k, v]) => [k, new Map(v)]));
    c.generation = this.generation;
    return c;
  }
}

/** A NodeInfo built from a node and pods, for tests and tools. */
export function newNodeInfo(node: Node, ...pods: PodInfo[]): NodeInfo {
  const ni = new NodeInfo(node.metadata?.name ?? "", node);
  for (const p of pods) ni.addPod(p);
  return ni;
}
