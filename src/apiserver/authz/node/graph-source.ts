/**
 * What the Node authorizer reads: the pods bound to a node and, to follow claims to their
 * volumes, PersistentVolumeClaims; PersistentVolumes, for the node's own local-path volumes. The API server backs it with its watch caches;
 * `MemoryNodeGraphSource` is the in-memory fake tests use.
 */
import type { PersistentVolume, PersistentVolumeClaim, Pod } from "../../../api/generated/types.ts";
import { type PodReferences, podReferences } from "./pod-references.ts";

/** What the graph needs of a pod: where it is and what it refers to. */
export interface PodSummary {
  readonly namespace: string;
  readonly name: string;
  readonly references: PodReferences;
}

export function summarizePod(pod: Pod): PodSummary {
  return {
    namespace: pod.metadata?.namespace ?? "",
    name: pod.metadata?.name ?? "",
    references: podReferences(pod),
  };
}

export interface NodeGraphSource {
  /**
   * Pods whose `spec.nodeName` is `nodeName` (any phase), summarized: the API server keeps these
   * summaries rather than decoded pods, which would be a second copy of every pod it caches.
   */
  podsOnNode(nodeName: string): readonly PodSummary[];
  /** A claim, to find the PersistentVolume it is bound to; absent: nodes may not read PVs. */
  getPersistentVolumeClaim?(namespace: string, name: string): PersistentVolumeClaim | undefined;
  /** A volume, to see whether it is a local-path volume on the node; absent: none is. */
  getPersistentVolume?(name: string): PersistentVolume | undefined;
}

export class MemoryNodeGraphSource implements NodeGraphSource {
  pods: Pod[];
  claims: PersistentVolumeClaim[];
  volumes: PersistentVolume[];

  constructor(
    init: { pods?: Pod[]; claims?: PersistentVolumeClaim[]; volumes?: PersistentVolume[] } = {},
  ) {
    this.pods = init.pods ?? [];
    this.claims = init.claims ?? [];
    this.volumes = init.volumes ?? [];
  }

  getPersistentVolume(name: string): PersistentVolume | undefined {
    return this.volumes.find((v) => v.metadata?.name === name);
  }

  podsOnNode(nodeName: string): readonly PodSummary[] {
    return this.pods.filter((p) => p.spec?.nodeName === nodeName).map(summarizePod);
  }

  getPersistentVolumeClaim(namespace: string, name: string): PersistentVolumeClaim | undefined {
    return this.claims.find(
      (c) => c.metadata?.namespace === namespace && c.metadata?.name === name,
    );
  }
}
