/**
 * `syncVolume` and reclaiming (upstream `pv_controller.go`): a volume without a claimRef, or
 * pre-bound without a uid, is Available; one whose claim is gone (or was replaced by a claim of
 * the same name) is Released and its reclaim policy runs; one bound to a claim that points
 * back is Bound; one whose claim went to another volume is unbound again (or, if it was
 * provisioned for that claim with policy Delete, released and deleted).
 *
 * Reclaim: Retain keeps the volume Released. Delete hands a provisioned volume
 * (`pv.kubernetes.io/provisioned-by` naming an external provisioner, or a CSI volume) to its
 * provisioner; any other volume has no deleter here and turns Failed with upstream's message.
 * Recycle has no recycler and turns Failed too.
 */
import { resourcePath, resources } from "../../../client/resources.ts";
import { isStatusError } from "../../../machinery/status.ts";
import {
  annBoundByController,
  annDynamicallyProvisioned,
  claimRefKey,
  hasAnnotation,
  type PersistentVolume,
  type PersistentVolumeClaim,
  volumeModeMismatch,
} from "../common/volume-util.ts";
import {
  type PVDeps,
  unbindVolume,
  updateVolumePhase,
  updateVolumePhaseWithEvent,
} from "./binder.ts";

export async function syncVolume(deps: PVDeps, volume: PersistentVolume): Promise<void> {
  const ref = volume.spec?.claimRef;
  if (!ref?.uid) {
    // Unused, or reserved for a claim whose sync will bind it.
    await updateVolumePhase(deps, volume, "Available", "");
    return;
  }
  const claim = await claimOf(deps, volume);
  if (!claim) {
    let v = volume;
    const phase = volume.status?.phase;
    if (phase !== "Released" && phase !== "Failed") {
      deps.log.info("volume is released and reclaim policy will be executed", {
        volume: volume.metadata?.name,
        reclaimPolicy: volume.spec?.persistentVolumeReclaimPolicy,
      });
      v = await updateVolumePhase(deps, volume, "Released", "");
    }
    await reclaimVolume(deps, v);
    return;
  }
  if (!claim.spec?.volumeName) {
    if (volumeModeMismatch(volume, claim)) {
      deps.recorder.event(
        volume,
        "Warning",
        "VolumeMismatch",
        `Cannot bind PersistentVolume to requested PersistentVolumeClaim "${claim.metadata?.name}" due to incompatible volumeMode.`,
      );
      deps.recorder.event(
        claim,
        "Warning",
        "VolumeMismatch",
        `Cannot bind PersistentVolume "${volume.metadata?.name}" to requested PersistentVolumeClaim due to incompatible volumeMode.`,
      );
      return;
    }
    // The claim's sync finishes the binding (this is how provisioned volumes get bound).
    deps.enqueueClaim(claimRefKey(ref));
    return;
  }
  if (claim.spec.volumeName === volume.metadata?.name) {
    await updateVolumePhase(deps, volume, "Bound", "");
    return;
  }
  // The claim is bound to another volume.
  if (
    hasAnnotation(volume, annDynamicallyProvisioned) &&
    volume.spec?.persistentVolumeReclaimPolicy === "Delete"
  ) {
    const phase = volume.status?.phase;
    const v =
      phase !== "Released" && phase !== "Failed"
        ? await updateVolumePhase(deps, volume, "Released", "")
        : volume;
    await reclaimVolume(deps, v);
    return;
  }
  if (!hasAnnotation(volume, annBoundByController)) {
    deps.log.debug("volume is bound by user to a claim that is bound to another volume", {
      volume: volume.metadata?.name,
    });
  }
  await unbindVolume(deps, volume);
}

/**
 * The claim the volume's claimRef names, with the same uid. A claim missing from the cache is
 * looked up in the API before a live volume is released (it may just not have arrived yet).
 */
async function claimOf(
  deps: PVDeps,
  volume: PersistentVolume,
): Promise<PersistentVolumeClaim | undefined> {
  const ref = volume.spec?.claimRef ?? {};
  let claim = deps.claims.get(claimRefKey(ref));
  const phase = volume.status?.phase;
  const live = async () => {
    try {
      return await deps.client.get<PersistentVolumeClaim>(
        resourcePath(resources.persistentvolumeclaims, ref.namespace ?? "", ref.name ?? ""),
      );
    } catch (err) {
      if (isStatusError(err, "NotFound")) return undefined;
      throw err;
    }
  };
  if (!claim && phase !== "Released" && phase !== "Failed") claim = await live();
  if (claim && claim.metadata?.uid !== ref.uid) {
    // Perhaps the cache is behind: ask the API server before giving up on the claim.
    claim = await live();
    if (claim && claim.metadata?.uid !== ref.uid) claim = undefined;
  }
  return claim;
}

/** `isVolumeReleased`: its claim is gone, replaced, or bound to another volume. */
function isVolumeReleased(deps: PVDeps, volume: PersistentVolume): boolean {
  const ref = volume.spec?.claimRef;
  if (!ref?.uid) return false;
  const claim = deps.claims.get(claimRefKey(ref));
  if (claim && claim.metadata?.uid === ref.uid) {
    const bound = claim.spec?.volumeName ?? "";
    return bound !== "" && bound !== volume.metadata?.name;
  }
  return true;
}

/** `reclaimVolume`. */
async function reclaimVolume(deps: PVDeps, volume: PersistentVolume): Promise<void> {
  switch (volume.spec?.persistentVolumeReclaimPolicy) {
    case "Retain":
      return;
    case "Recycle":
      await updateVolumePhaseWithEvent(deps, volume, "Failed", {
        type: "Warning",
        reason: "VolumeFailedRecycle",
        message: "No recycler plugin found for the volume!",
      });
      return;
    case "Delete":
      await deleteVolumeOperation(deps, volume);
      return;
    default:
      await updateVolumePhaseWithEvent(deps, volume, "Failed", {
        type: "Warning",
        reason: "VolumeUnknownReclaimPolicy",
        message: "Volume has unrecognized PersistentVolumeReclaimPolicy",
      });
  }
}

/**
 * `deleteVolumeOperation` with `findDeletablePlugin`: external deleters are left to do their
 * work; anything else cannot be deleted here, so the volume is marked Failed with the reason.
 */
async function deleteVolumeOperation(deps: PVDeps, volume: PersistentVolume): Promise<void> {
  let fresh: PersistentVolume;
  try {
    fresh = await deps.client.get<PersistentVolume>(
      resourcePath(resources.persistentvolumes, "", volume.metadata?.name ?? ""),
    );
  } catch (err) {
    if (isStatusError(err, "NotFound")) return;
    throw err;
  }
  deps.volumes.store(fresh);
  if (!isVolumeReleased(deps, fresh)) return;
  const failure = deleterFailure(fresh);
  if (failure === undefined) {
    deps.log.debug("external deleter for volume requested, ignoring", {
      volume: volume.metadata?.name,
    });
    return;
  }
  await updateVolumePhaseWithEvent(deps, fresh, "Failed", {
    type: "Warning",
    reason: "VolumeFailedDelete",
    message: failure,
  });
}

/** Why no deleter can delete the volume; undefined when an external deleter owns it. */
export function deleterFailure(volume: PersistentVolume): string | undefined {
  const provisionedBy = volume.metadata?.annotations?.[annDynamicallyProvisioned] ?? "";
  if (provisionedBy !== "") {
    if (!provisionedBy.startsWith("kubernetes.io/")) return undefined;
    return `no volume plugin matched name: ${provisionedBy}`;
  }
  if (volume.spec?.csi) return undefined;
  const name = volume.metadata?.name ?? "";
  const hostPath = volume.spec?.hostPath?.path;
  if (hostPath !== undefined && !/\/tmp\/.+/.test(hostPath)) {
    return `failed to create deleter for volume "${name}": host_path deleter only supports /tmp/.+ but received provided ${hostPath}`;
  }
  return `error getting deleter volume plugin for volume "${name}": no deletable volume plugin matched`;
}
