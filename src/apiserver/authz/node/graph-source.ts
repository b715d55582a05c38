/**
 * What the Node authorizer reads: the pods bound to a node and, to follow claims to their
 * volumes, PersistentVolumeClaims. The API server backs it with its watch caches;
 * `MemoryNodeGraphSource` is the in-memory fake tests use.
 */
import type { PersistentVolumeClaim, Pod } from "../../../api/generated/types.ts";

export interface NodeGraphSource {
  /** Pods whose `spec.nodeName` is `nodeName` (any phase). */
  podsOnNode(nodeName: string): readonly Pod[];
  /** A claim, to find the PersistentVolume it is bound to; absent: nodes may not read PVs. */
  getPersistentVolumeClaim?(namespace: string, name: string): PersistentVolumeClaim | undefined;
}

export class MemoryNodeGraphSource implements NodeGraphSource {
  pods: Pod[];
  claims: PersistentVolumeClaim[];

  constructor(init: { pods?: Pod[]; claims?: PersistentVolumeClaim[] } = {}) {
    this.pods = init.pods ?? [];
    this.claims = init.claims ?? [];
  }

  podsOnNode(nodeName: string): readonly Pod[] {
    return this.pods.filter((p) => p.spec?.nodeName === nodeName);
  }

  getPersistentVolumeClaim(namespace: string, name: string): PersistentVolumeClaim | undefined {
    return this.claims.find(
      (c) => c.metadata?.namespace === namespace && c.metadata?.name === name,
    );
  }
}
