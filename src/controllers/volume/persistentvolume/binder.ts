/**
 * The PV controller's writes (upstream `pv_controller.go`: `bind`, `bindVolumeToClaim`,
 * `bindClaimToVolume`, `unbindVolume`, `updateClaimStatus`, `updateVolumePhase` and their
 * `…WithEvent` forms). Every write is a full update at the cached resourceVersion, so a decision
 * taken on a stale copy fails with a Conflict and is retried, and every answer is remembered in
 * the controller's object cache.
 */
import { isDeepStrictEqual } from "node:util";
import type { EventRecorder, EventType } from "../../../client/event-recorder.ts";
import type { Informer } from "../../../client/informer.ts";
import { resourcePath, resources } from "../../../client/resources.ts";
import type { RestClient } from "../../../client/rest-client.ts";
import type { Logger } from "../../../machinery/log.ts";
import { formatTime } from "../../../machinery/time.ts";
import type { ObjectCache } from "../common/object-cache.ts";
import {
  annBindCompleted,
  annBoundByController,
  claimReference,
  isVolumeBoundToClaim,
  type PersistentVolume,
  type PersistentVolumeClaim,
  type Pod,
  type StorageClass,
  storageQuantity,
} from "../common/volume-util.ts";

/** What the sync functions work with. */
export interface PVDeps {
  readonly client: RestClient;
  readonly recorder: EventRecorder;
  readonly log: Logger;
  readonly volumes: ObjectCache<PersistentVolume>;
  readonly claims: ObjectCache<PersistentVolumeClaim>;
  readonly classes: Informer<StorageClass>;
  readonly pods: Informer<Pod>;
  /** Syncs the claim soon (in the claim worker). */
  enqueueClaim(key: string): void;
  /** Milliseconds since the epoch (the injected clock). */
  now(): number;
}

type VolumePhase = NonNullable<NonNullable<PersistentVolume["status"]>["phase"]>;
type ClaimPhase = NonNullable<NonNullable<PersistentVolumeClaim["status"]>["phase"]>;

const clone = <T>(obj: T): T => structuredClone(obj);
const volumePath = (v: PersistentVolume, sub = "") =>
  resourcePath(resources.persistentvolumes, "", v.metadata?.name ?? "", sub);
const claimPath = (c: PersistentVolumeClaim, sub = "") =>
  resourcePath(
    resources.persistentvolumeclaims,
    c.metadata?.namespace ?? "",
    c.metadata?.name ?? "",
    sub,
  );

export async function updateVolume(deps: PVDeps, volume: PersistentVolume) {
  return deps.volumes.store(await deps.client.update<PersistentVolume>(volumePath(volume), volume));
}

export async function updateClaim(deps: PVDeps, claim: PersistentVolumeClaim) {
  return deps.claims.store(
    await deps.client.update<PersistentVolumeClaim>(claimPath(claim), claim),
  );
}

/** `updateVolumePhase`: writes the phase (and message) unless already set. */
export async function updateVolumePhase(
  deps: PVDeps,
  volume: PersistentVolume,
  phase: VolumePhase,
  message: string,
): Promise<PersistentVolume> {
  if (volume.status?.phase === phase) return volume;
  const next = clone(volume);
  // The API server does not stamp the transition (upstream's status strategy does).
  const lastPhaseTransitionTime = formatTime(deps.now());
  next.status = { ...next.status, phase, lastPhaseTransitionTime };
  if (message) next.status.message = message;
  else delete next.status.message;
  const saved = await deps.client.update<PersistentVolume>(volumePath(volume, "status"), next);
  deps.log.info("volume entered phase", { volume: volume.metadata?.name, phase });
  return deps.volumes.store(saved);
}

/** `updateVolumePhaseWithEvent`: the event only when the phase really changes. */
export async function updateVolumePhaseWithEvent(
  deps: PVDeps,
  volume: PersistentVolume,
  phase: VolumePhase,
  event: { type: EventType; reason: string; message: string },
): Promise<PersistentVolume> {
  if (volume.status?.phase === phase) return volume;
  const saved = await updateVolumePhase(deps, volume, phase, event.message);
  deps.recorder.event(saved, event.type, event.reason, event.message);
  return saved;
}

/**
 * `updateClaimStatus`: the phase, and the volume's access modes and (when becoming Bound)
 * capacity; without a volume both are cleared.
 */
export async function updateClaimStatus(
  deps: PVDeps,
  claim: PersistentVolumeClaim,
  phase: ClaimPhase,
  volume: PersistentVolume | undefined,
): Promise<PersistentVolumeClaim> {
  const next = clone(claim);
  next.status ??= {};
  let dirty = claim.status?.phase !== phase;
  next.status.phase = phase;
  if (!volume) {
    if (next.status.accessModes !== undefined || next.status.capacity !== undefined) dirty = true;
    delete next.status.accessModes;
    delete next.status.capacity;
  } else {
    if (!isDeepStrictEqual(claim.status?.accessModes, volume.spec?.accessModes)) {
      next.status.accessModes = volume.spec?.accessModes ?? [];
      dirty = true;
    }
    if (claim.status?.phase !== phase) {
      const volumeCap = volume.spec?.capacity?.storage;
      if (volumeCap === undefined) {
        throw new Error(
          `PersistentVolume "${volume.metadata?.name}" is without a storage capacity`,
        );
      }
      const claimCap = claim.status?.capacity?.storage;
      if (claimCap === undefined || storageQuantity(volumeCap).cmp(storageQuantity(claimCap))) {
        next.status.capacity = volume.spec?.capacity ?? {};
        dirty = true;
      }
    }
  }
  if (!dirty) return claim;
  const saved = await deps.client.update<PersistentVolumeClaim>(claimPath(claim, "status"), next);
  if (claim.status?.phase !== phase) {
    deps.log.info("claim entered phase", { claim: claimPathKey(claim), phase });
  }
  return deps.claims.store(saved);
}

const claimPathKey = (c: PersistentVolumeClaim) => `${c.metadata?.namespace}/${c.metadata?.name}`;

/** `updateClaimStatusWithEvent`: status and event only when the phase really changes. */
export async function updateClaimStatusWithEvent(
  deps: PVDeps,
  claim: PersistentVolumeClaim,
  phase: ClaimPhase,
  event: { type: EventType; reason: string; message: string },
): Promise<PersistentVolumeClaim> {
  if (claim.status?.phase === phase) return claim;
  const saved = await updateClaimStatus(deps, claim, phase, undefined);
  deps.recorder.event(saved, event.type, event.reason, event.message);
  return saved;
}

/** `bindVolumeToClaim` (`GetBindVolumeToClaim`): claimRef with uid, bound-by-controller. */
async function bindVolumeToClaim(
  deps: PVDeps,
  volume: PersistentVolume,
  claim: PersistentVolumeClaim,
): Promise<PersistentVolume> {
  const next = clone(volume);
  next.spec ??= {};
  let dirty = false;
  const ref = volume.spec?.claimRef;
  const setBoundByController = !isVolumeBoundToClaim(volume, claim);
  if (
    !ref ||
    ref.name !== claim.metadata?.name ||
    ref.namespace !== claim.metadata?.namespace ||
    ref.uid !== claim.metadata?.uid
  ) {
    next.spec.claimRef = claimReference(claim);
    dirty = true;
  }
  const annotations = next.metadata?.annotations ?? {};
  if (setBoundByController && !Object.hasOwn(annotations, annBoundByController)) {
    next.metadata = {
      ...next.metadata,
      annotations: { ...annotations, [annBoundByController]: "yes" },
    };
    dirty = true;
  }
  if (!dirty) return volume;
  deps.log.info("claim bound to volume", {
    claim: claimPathKey(claim),
    volume: volume.metadata?.name,
  });
  return updateVolume(deps, next);
}

/** `bindClaimToVolume`: volumeName, bound-by-controller (when we chose) and bind-completed. */
async function bindClaimToVolume(
  deps: PVDeps,
  claim: PersistentVolumeClaim,
  volume: PersistentVolume,
): Promise<PersistentVolumeClaim> {
  const next = clone(claim);
  const annotations = { ...next.metadata?.annotations };
  let dirty = false;
  if (volume.metadata?.name !== claim.spec?.volumeName) {
    next.spec = { ...next.spec, volumeName: volume.metadata?.name ?? "" };
    if (!Object.hasOwn(annotations, annBoundByController))
      annotations[annBoundByController] = "yes";
    dirty = true;
  }
  if (!Object.hasOwn(annotations, annBindCompleted)) {
    annotations[annBindCompleted] = "yes";
    dirty = true;
  }
  if (!dirty) return claim;
  next.metadata = { ...next.metadata, annotations };
  return updateClaim(deps, next);
}

/**
 * `bind`: volume first (claimRef, then phase Bound), then the claim (volumeName and
 * annotations, then phase Bound with the volume's modes and capacity). A failure part-way is
 * finished by the next sync of either object.
 */
export async function bind(
  deps: PVDeps,
  volume: PersistentVolume,
  claim: PersistentVolumeClaim,
): Promise<void> {
  let v = await bindVolumeToClaim(deps, volume, claim);
  v = await updateVolumePhase(deps, v, "Bound", "");
  const c = await bindClaimToVolume(deps, claim, v);
  await updateClaimStatus(deps, c, "Bound", v);
}

/**
 * `unbindVolume`: a volume the controller bound loses its claimRef and annotation; one the user
 * pre-bound keeps its claimRef without the uid. Then Available.
 */
export async function unbindVolume(deps: PVDeps, volume: PersistentVolume): Promise<void> {
  const next = clone(volume);
  next.spec ??= {};
  const annotations = { ...next.metadata?.annotations };
  if (Object.hasOwn(annotations, annBoundByController)) {
    delete next.spec.claimRef;
    delete annotations[annBoundByController];
    next.metadata = { ...next.metadata, annotations };
    if (Object.keys(annotations).length === 0) delete next.metadata.annotations;
  } else if (next.spec.claimRef) {
    const { uid: _uid, ...ref } = next.spec.claimRef;
    next.spec.claimRef = ref;
  }
  const saved = await updateVolume(deps, next);
  await updateVolumePhase(deps, saved, "Available", "");
}
