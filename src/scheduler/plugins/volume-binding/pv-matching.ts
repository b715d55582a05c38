/**
 * Matching an unbound claim to an available PersistentVolume on a node (a small part of
 * upstream's volume binder `findMatchingVolumes`): class, access modes, volume mode, size,
 * selector, and the PV's node affinity; the smallest volume that fits wins.
 */
import type {
  Node,
  PersistentVolume,
  PersistentVolumeClaim,
} from "../../../api/generated/types.ts";
import { nodeSelectorTermsMatch } from "../../../api/scheduling/node-affinity.ts";
import { selectorFromLabelSelector } from "../../../machinery/labels.ts";
import { Quantity } from "../../../machinery/quantity.ts";

export function storageOf(text: string | undefined): number {
  if (!text) return 0;
  try {
    return Quantity.parse(text).value();
  } catch {
    return 0;
  }
}

/** Does the PV's required node affinity admit the node (none: every node)? */
export function pvNodeAffinityMatches(pv: PersistentVolume, node: Node | undefined): boolean {
  const terms = pv.spec?.nodeAffinity?.required?.nodeSelectorTerms;
  if (!terms) return true;
  return nodeSelectorTermsMatch(terms, node?.metadata?.labels ?? {}, node?.metadata?.name ?? "");
}

function claimKey(pvc: PersistentVolumeClaim): string {
  return `${pvc.metadata?.namespace}/${pvc.metadata?.name}`;
}

function pvAdmitsClaim(pv: PersistentVolume, pvc: PersistentVolumeClaim): boolean {
  const ref = pv.spec?.claimRef;
  if (ref && (ref.namespace !== pvc.metadata?.namespace || ref.name !== pvc.metadata?.name)) {
    return false;
  }
  if (pv.metadata?.deletionTimestamp) return false;
  if (pv.status?.phase === "Released" || pv.status?.phase === "Failed") return false;
  if ((pv.spec?.storageClassName ?? "") !== (pvc.spec?.storageClassName ?? "")) return false;
  if ((pv.spec?.volumeMode ?? "Filesystem") !== (pvc.spec?.volumeMode ?? "Filesystem"))
    return false;
  const modes = pv.spec?.accessModes ?? [];
  if (!(pvc.spec?.accessModes ?? []).every((m) => modes.includes(m))) return false;
  if (pvc.spec?.selector) {
    try {
      if (!selectorFromLabelSelector(pvc.spec.selector).matches(pv.metadata?.labels ?? {}))
        return false;
    } catch {
      return false;
    }
  }
  return true;
}

/** The best available PV for the claim on this node, skipping PVs other claims reserved. */
export function findMatchingVolume(
  pvc: PersistentVolumeClaim,
  pvs: readonly PersistentVolume[],
  node: Node | undefined,
  reserved: ReadonlyMap<string, string>,
): PersistentVolume | undefined {
  const want = storageOf(pvc.spec?.resources?.requests?.storage);
  let best: PersistentVolume | undefined;
  let bestSize = Infinity;
  for (const pv of pvs) {
    const holder = reserved.get(pv.metadata?.name ?? "");
    if (holder !== undefined && holder !== claimKey(pvc)) continue;
    if (!pvAdmitsClaim(pv, pvc) || !pvNodeAffinityMatches(pv, node)) continue;
    const size = storageOf(pv.spec?.capacity?.storage);
    if (size < want) continue;
    // A PV already pre-bound to this claim wins outright.
    if (pv.spec?.claimRef) return pv;
    if (size < bestSize) {
      best = pv;
      bestSize = size;
    }
  }
  return best;
}

export { claimKey };
