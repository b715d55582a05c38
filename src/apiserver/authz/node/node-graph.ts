/**
 * The Node authorizer's relationship question (upstream `graph.go`, `hasPathFrom`): is there a
 * path from this object to the node? Paths run object → pod → node (secrets, config maps, claims,
 * service accounts, the pod itself) and PV → claim → pod → node. Rather than keep a graph, the
 * answer is computed from the pods bound to the node at the time of the request.
 */
import { localPathNodeLabel } from "../../../api/storage/local-path.ts";
import type { NodeGraphSource } from "./graph-source.ts";

export type VertexType =
  | "pod"
  | "secret"
  | "configmap"
  | "persistentvolumeclaim"
  | "persistentvolume"
  | "serviceaccount";

export class NodeGraph {
  readonly #source: NodeGraphSource;

  constructor(source: NodeGraphSource) {
    this.#source = source;
  }

  /** Does `type` `namespace/name` (cluster-scoped PVs: namespace "") relate to `nodeName`? */
  hasPathFrom(nodeName: string, type: VertexType, namespace: string, name: string): boolean {
    const pods = this.#source.podsOnNode(nodeName);
    if (type === "persistentvolume") return this.#volumeOnNode(nodeName, name);
    for (const pod of pods) {
      if (pod.namespace !== namespace) continue;
      if (type === "pod") {
        if (pod.name === name) return true;
        continue;
      }
      const refs = pod.references;
      const found =
        (type === "secret" && refs.secrets.has(name)) ||
        (type === "configmap" && refs.configMaps.has(name)) ||
        (type === "persistentvolumeclaim" && refs.persistentVolumeClaims.has(name)) ||
        (type === "serviceaccount" && refs.serviceAccount === name);
      if (found) return true;
    }
    return false;
  }

  /** A Bosun local-path volume whose directory is on the node (by its node label). */
  localVolumeOnNode(nodeName: string, volumeName: string): boolean {
    const volume = this.#source.getPersistentVolume?.(volumeName);
    return volume?.metadata?.labels?.[localPathNodeLabel] === nodeName;
  }

  #volumeOnNode(nodeName: string, volumeName: string): boolean {
    const getClaim = this.#source.getPersistentVolumeClaim?.bind(this.#source);
    if (!getClaim) return false;
    for (const pod of this.#source.podsOnNode(nodeName)) {
      for (const claimName of pod.references.persistentVolumeClaims) {
        if (getClaim(pod.namespace, claimName)?.spec?.volumeName === volumeName) return true;
      }
    }
    return false;
  }
}
