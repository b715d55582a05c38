/**
 * Finding a volume for a claim (upstream `index.go` `findBestMatchForClaim` and
 * `FindMatchingVolume` on the controller's path, where no node is known):
 *
 * - volumes are grouped by their access-mode sets; only sets offering every mode the claim
 *   asks for are searched, smallest set first, so a ReadWriteOnce claim prefers a RWO volume
 *   over a RWO+RWX one;
 * - a volume pre-bound to the claim (claimRef naming it) wins outright;
 * - with WaitForFirstConsumer (`delayBinding`) nothing else is chosen here: the scheduler picks;
 * - otherwise the smallest Available volume of the claim's class and volume mode, large enough,
 *   matching the claim's selector and volume attributes class, not being deleted.
 */

import { compareStrings } from "../../../machinery/apply/go-json.ts";
import { selectorFromLabelSelector } from "../../../machinery/labels.ts";
import type { Quantity } from "../../../machinery/quantity.ts";
import {
  claimClass,
  isVolumeBoundToClaim,
  type PersistentVolume,
  type PersistentVolumeClaim,
  requestedStorage,
  volumeClass,
  volumeModeMismatch,
  volumeStorage,
} from "../common/volume-util.ts";

/** `allPossibleMatchingAccessModes`: volume groups by mode set, fewest modes first. */
function groupsFor(claim: PersistentVolumeClaim, volumes: readonly PersistentVolume[]) {
  const wanted = claim.spec?.accessModes ?? [];
  const groups = new Map<string, PersistentVolume[]>();
  for (const volume of volumes) {
    const modes = [...new Set(volume.spec?.accessModes ?? [])].sort();
    if (!wanted.every((m) => modes.includes(m))) continue;
    const key = modes.join(",");
    groups.set(key, [...(groups.get(key) ?? []), volume]);
  }
  return [...groups.entries()]
    .sort(([a], [b]) => a.split(",").length - b.split(",").length || compareStrings(a, b))
    .map(([, group]) => group);
}

/** `FindMatchingVolume` over one group (node = nil: the controller's path). */
export function findMatchingVolume(
  claim: PersistentVolumeClaim,
  volumes: readonly PersistentVolume[],
  delayBinding: boolean,
): PersistentVolume | undefined {
  const requested = requestedStorage(claim);
  const klass = claimClass(claim);
  // An invalid selector throws: upstream's "error finding PV for claim", retried later.
  const selector = claim.spec?.selector
    ? selectorFromLabelSelector(claim.spec.selector)
    : undefined;
  let smallest: PersistentVolume | undefined;
  let smallestSize: Quantity | undefined;
  for (const volume of volumes) {
    if (volume.spec?.claimRef && !isVolumeBoundToClaim(volume, claim)) continue;
    const size = volumeStorage(volume);
    if (size.cmp(requested) < 0) continue;
    if (volumeModeMismatch(volume, claim)) continue;
    if (volume.metadata?.deletionTimestamp) continue;
    if (isVolumeBoundToClaim(volume, claim)) return volume;
    if (delayBinding) continue;
    if (volume.status?.phase !== "Available") continue;
    if (selector && !selector.matches(volume.metadata?.labels ?? {})) continue;
    if (volumeClass(volume) !== klass) continue;
    if (
      (claim.spec?.volumeAttributesClassName ?? "") !==
      (volume.spec?.volumeAttributesClassName ?? "")
    ) {
      continue;
    }
    if (!smallestSize || smallestSize.cmp(size) > 0) {
      smallest = volume;
      smallestSize = size;
    }
  }
  return smallest;
}

/** `findBestMatchForClaim`. Throws for a claim whose selector cannot be parsed. */
export function findBestMatchForClaim(
  claim: PersistentVolumeClaim,
  volumes: readonly PersistentVolume[],
  delayBinding: boolean,
): PersistentVolume | undefined {
  for (const group of groupsFor(claim, volumes)) {
    const found = findMatchingVolume(claim, group, delayBinding);
    if (found) return found;
  }
  return undefined;
}
