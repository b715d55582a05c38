/**
 * `syncClaim` (upstream `pv_controller.go`): what to do with a claim, level-triggered.
 *
 * - unbound (no `pv.kubernetes.io/bind-completed`): bind it to the best matching volume; with
 *   none, give it the default class if it names none, wait for the first consumer
 *   (WaitForFirstConsumer without `volume.kubernetes.io/selected-node`), hand it to its class's
 *   provisioner, or report that nothing can satisfy it — Pending in every case;
 * - pre-bound (`spec.volumeName` set by the user): bind if the volume is free or already points
 *   at the claim and satisfies it, else stay Pending with an event;
 * - bound: keep both sides bound; Lost (with a Warning) when the volume is gone or claimed by
 *   another claim.
 */
import {
  accessModesSatisfied,
  annBetaStorageProvisioner,
  annBindCompleted,
  annBoundByController,
  annSelectedNode,
  annStorageProvisioner,
  claimClass,
  claimHasClass,
  claimKey,
  claimRefKey,
  defaultStorageClass,
  hasAnnotation,
  isPodTerminated,
  isVolumeBoundToClaim,
  type PersistentVolume,
  type PersistentVolumeClaim,
  podClaimNames,
  requestedStorage,
  volumeClass,
  volumeModeMismatch,
  volumeStorage,
} from "../common/volume-util.ts";
import {
  bind,
  type PVDeps,
  updateClaim,
  updateClaimStatus,
  updateClaimStatusWithEvent,
} from "./binder.ts";
import { findBestMatchForClaim } from "./volume-index.ts";

export async function syncClaim(deps: PVDeps, claim: PersistentVolumeClaim): Promise<void> {
  if (!hasAnnotation(claim, annBindCompleted)) await syncUnboundClaim(deps, claim);
  else await syncBoundClaim(deps, claim);
}

/** `IsDelayBindingMode`: the claim's class binds WaitForFirstConsumer. */
export function isDelayBindingMode(deps: PVDeps, claim: PersistentVolumeClaim): boolean {
  const name = claimClass(claim);
  if (name === "") return false;
  const klass = deps.classes.get("", name);
  if (!klass) return false;
  if (klass.volumeBindingMode === undefined) {
    throw new Error(`VolumeBindingMode not set for StorageClass "${name}"`);
  }
  return klass.volumeBindingMode === "WaitForFirstConsumer";
}

/** `checkVolumeSatisfyClaim`: why a requested volume cannot serve the claim, if it cannot. */
export function volumeSatisfiesClaim(
  volume: PersistentVolume,
  claim: PersistentVolumeClaim,
): string | undefined {
  if (volume.metadata?.deletionTimestamp) {
    return `the volume is marked for deletion "${volume.metadata.name}"`;
  }
  if (volumeStorage(volume).cmp(requestedStorage(claim)) < 0) return "requested PV is too small";
  if (volumeClass(volume) !== claimClass(claim)) return "storageClassName does not match";
  if (volumeModeMismatch(volume, claim)) return "incompatible volumeMode";
  if (!accessModesSatisfied(volume, claim)) return "incompatible accessMode";
  return undefined;
}

async function syncUnboundClaim(deps: PVDeps, claim: PersistentVolumeClaim): Promise<void> {
  if (!claim.spec?.volumeName) {
    const delayBinding = isDelayBindingMode(deps, claim);
    let volume: PersistentVolume | undefined;
    try {
      volume = findBestMatchForClaim(claim, deps.volumes.list(), delayBinding);
    } catch (err) {
      throw new Error(`error finding PV for claim "${claimKey(claim)}": ${String(err)}`, {
        cause: err,
      });
    }
    if (volume) {
      await bind(deps, volume, claim);
      return;
    }
    if (await assignDefaultStorageClass(deps, claim)) return;
    if (delayBinding && !hasAnnotation(claim, annSelectedNode)) {
      emitEventForUnboundDelayBindingClaim(deps, claim);
    } else if (claimClass(claim) !== "") {
      await provisionClaim(deps, claim);
      return;
    } else {
      deps.recorder.event(
        claim,
        "Normal",
        "FailedBinding",
        "no persistent volumes available for this claim and no storage class is set",
      );
    }
    await updateClaimStatus(deps, claim, "Pending", undefined);
    return;
  }
  // The user asked for a specific volume.
  const volume = deps.volumes.get(claim.spec.volumeName);
  if (!volume) {
    await updateClaimStatus(deps, claim, "Pending", undefined);
    return;
  }
  if (!volume.spec?.claimRef) {
    const mismatch = volumeSatisfiesClaim(volume, claim);
    if (mismatch === undefined) {
      await bind(deps, volume, claim);
      return;
    }
    deps.recorder.event(
      claim,
      "Warning",
      "VolumeMismatch",
      `Cannot bind to requested volume "${volume.metadata?.name}": ${mismatch}`,
    );
    await updateClaimStatus(deps, claim, "Pending", undefined);
    return;
  }
  if (isVolumeBoundToClaim(volume, claim)) {
    await bind(deps, volume, claim);
    return;
  }
  const message = `volume "${volume.metadata?.name}" already bound to a different claim.`;
  deps.recorder.event(claim, "Warning", "FailedBinding", message);
  if (hasAnnotation(claim, annBoundByController)) {
    throw new Error(
      `invalid binding of claim "${claimKey(claim)}" to volume "${claim.spec.volumeName}": ` +
        `volume already claimed by "${claimRefKey(volume.spec.claimRef)}"`,
    );
  }
  await updateClaimStatus(deps, claim, "Pending", undefined);
}

async function syncBoundClaim(deps: PVDeps, claim: PersistentVolumeClaim): Promise<void> {
  const lost = (reason: string, message: string) =>
    updateClaimStatusWithEvent(deps, claim, "Lost", { type: "Warning", reason, message });
  if (!claim.spec?.volumeName) {
    await lost(
      "ClaimLost",
      "Bound claim has lost reference to PersistentVolume. Data on the volume is lost!",
    );
    return;
  }
  const volume = deps.volumes.get(claim.spec.volumeName);
  if (!volume) {
    await lost(
      "ClaimLost",
      "Bound claim has lost its PersistentVolume. Data on the volume is lost!",
    );
    return;
  }
  const ref = volume.spec?.claimRef;
  if (!ref || ref.uid === claim.metadata?.uid) {
    await bind(deps, volume, claim);
    return;
  }
  await lost(
    "ClaimMisbound",
    "Two claims are bound to the same volume, this one is bound incorrectly",
  );
}

/**
 * `assignDefaultStorageClass` (retroactive default class): a claim that names no class gets
 * the default once one exists. True when the claim was updated (its next sync carries on).
 */
async function assignDefaultStorageClass(
  deps: PVDeps,
  claim: PersistentVolumeClaim,
): Promise<boolean> {
  if (claimHasClass(claim)) return false;
  const klass = defaultStorageClass(deps.classes.list());
  if (!klass) return false;
  const next = structuredClone(claim);
  next.spec = { ...next.spec, storageClassName: klass.metadata?.name ?? "" };
  await updateClaim(deps, next);
  deps.log.info("assigned the default StorageClass", {
    claim: claimKey(claim),
    storageClass: klass.metadata?.name,
  });
  return true;
}

/** `emitEventForUnboundDelayBindingClaim`: WaitForFirstConsumer, or the pods not yet scheduled. */
function emitEventForUnboundDelayBindingClaim(deps: PVDeps, claim: PersistentVolumeClaim): void {
  const waiting = deps.pods
    .list(claim.metadata?.namespace ?? "")
    .filter((pod) => !isPodTerminated(pod) && !pod.spec?.nodeName)
    .filter((pod) => podClaimNames(pod).includes(claim.metadata?.name ?? ""))
    .map((pod) => pod.metadata?.name ?? "");
  if (waiting.length === 0) {
    deps.recorder.event(
      claim,
      "Normal",
      "WaitForFirstConsumer",
      "waiting for first consumer to be created before binding",
    );
    return;
  }
  const message =
    waiting.length > 1
      ? `waiting for pods ${waiting.join(",")} to be scheduled`
      : `waiting for pod ${waiting[0]} to be scheduled`;
  deps.recorder.event(claim, "Normal", "WaitForPodScheduled", message);
}

/**
 * `provisionClaim`: Bosun has no in-tree volume plugins, so every class's provisioner is an
 * external one: the claim is annotated with it and the provisioner takes over
 * (`provisionClaimOperationExternal`). `kubernetes.io/…` names match no plugin.
 */
async function provisionClaim(deps: PVDeps, claim: PersistentVolumeClaim): Promise<void> {
  // Like upstream, the claim's status is left as it is (Pending) on this path.
  const name = claimClass(claim);
  const klass = deps.classes.get("", name);
  const fail = (message: string) =>
    deps.recorder.event(claim, "Warning", "ProvisioningFailed", message);
  if (!klass) {
    fail(`storageclass.storage.k8s.io "${name}" not found`);
  } else if (klass.provisioner.startsWith("kubernetes.io/")) {
    fail(`no volume plugin matched name: ${klass.provisioner}`);
  } else {
    const provisioner = klass.provisioner;
    const annotations = claim.metadata?.annotations ?? {};
    let current = claim;
    if (
      annotations[annStorageProvisioner] !== provisioner ||
      annotations[annBetaStorageProvisioner] !== provisioner
    ) {
      const next = structuredClone(claim);
      next.metadata = {
        ...next.metadata,
        annotations: {
          ...annotations,
          [annBetaStorageProvisioner]: provisioner,
          [annStorageProvisioner]: provisioner,
        },
      };
      try {
        current = await updateClaim(deps, next);
      } catch (err) {
        fail(`Error saving claim: ${err instanceof Error ? err.message : String(err)}`);
        throw err;
      }
    }
    deps.recorder.event(
      current,
      "Normal",
      "ExternalProvisioning",
      `Waiting for a volume to be created either by the external provisioner '${provisioner}' ` +
        "or manually by the system administrator. If volume creation is delayed, please verify " +
        "that the provisioner is running and correctly registered.",
    );
  }
}
