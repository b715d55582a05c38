/**
 * The PersistentVolume controller (upstream `pkg/controller/volume/persistentvolume`, the
 * "persistentvolume-binder" of kube-controller-manager): binds claims to volumes, moves both
 * through their phases, hands dynamic provisioning and deletion to provisioners by annotation,
 * and runs reclaim policies. See `sync-claim.ts` and `sync-volume.ts` for the decisions and
 * `binder.ts` for the writes.
 *
 * As upstream: one claim worker and one volume worker (so two syncs never race on one object),
 * informer handlers that only enqueue, a deleted claim enqueues its volume (to release it at
 * once) and a deleted volume its claim (to mark it Lost), and every object is re-synced every
 * 15 s (`--pvclaimbinder-sync-period`) on the injected clock, which is what retries bindings
 * that wait for a volume to appear. Events come from `persistentvolume-controller`.
 */
import { runWorkers } from "../../../client/controller.ts";
import { createEventRecorder } from "../../../client/event-recorder.ts";
import { keyOf } from "../../../client/informer.ts";
import { resources } from "../../../client/resources.ts";
import { WorkQueue } from "../../../client/work-queue.ts";
import { onAbort } from "../../../machinery/abort.ts";
import type { Timer } from "../../../machinery/clock.ts";
import type { Controller, ControllerContext, ControllerFactory } from "../../context.ts";
import { ObjectCache } from "../common/object-cache.ts";
import {
  claimRefKey,
  type PersistentVolume,
  type PersistentVolumeClaim,
  type Pod,
  type StorageClass,
} from "../common/volume-util.ts";
import type { PVDeps } from "./binder.ts";
import { syncClaim } from "./sync-claim.ts";
import { syncVolume } from "./sync-volume.ts";

export const pvControllerName = "persistentvolume-binder-controller";
/** Upstream's `--pvclaimbinder-sync-period` default. */
export const defaultSyncPeriodMs = 15_000;

export class PersistentVolumeController implements Controller {
  readonly name = pvControllerName;
  readonly #ctx: ControllerContext;
  readonly #deps: PVDeps;
  readonly #claimQueue = new WorkQueue<string>({ maxDelayMs: 120_000 });
  readonly #volumeQueue = new WorkQueue<string>({ maxDelayMs: 120_000 });
  readonly #syncPeriodMs: number;

  constructor(ctx: ControllerContext, options: { syncPeriodMs?: number } = {}) {
    this.#ctx = ctx;
    this.#syncPeriodMs = options.syncPeriodMs ?? defaultSyncPeriodMs;
    const volumes = new ObjectCache(
      ctx.informers.informer<PersistentVolume>(resources.persistentvolumes),
    );
    const claims = new ObjectCache(
      ctx.informers.informer<PersistentVolumeClaim>(resources.persistentvolumeclaims),
    );
    this.#deps = {
      client: ctx.client,
      recorder: createEventRecorder({
        client: ctx.client,
        component: "persistentvolume-controller",
        clock: ctx.clock,
        log: ctx.log,
      }),
      log: ctx.log.with({ controller: pvControllerName }),
      volumes,
      claims,
      classes: ctx.informers.informer<StorageClass>(resources.storageclasses),
      pods: ctx.informers.informer<Pod>(resources.pods),
      enqueueClaim: (key) => this.#claimQueue.add(key),
      now: () => ctx.clock.now(),
    };
    volumes.informer.addHandlers({
      onAdd: (v) => this.#volumeQueue.add(keyOf(v)),
      onUpdate: (_, v) => this.#volumeQueue.add(keyOf(v)),
      onDelete: (v) => {
        volumes.forget(keyOf(v));
        const ref = v.spec?.claimRef;
        if (ref) this.#claimQueue.add(claimRefKey(ref));
      },
    });
    claims.informer.addHandlers({
      onAdd: (c) => this.#claimQueue.add(keyOf(c)),
      onUpdate: (_, c) => this.#claimQueue.add(keyOf(c)),
      onDelete: (c) => {
        claims.forget(keyOf(c));
        if (c.spec?.volumeName) this.#volumeQueue.add(c.spec.volumeName);
      },
    });
  }

  async #syncClaimKey(key: string): Promise<void> {
    const claim = this.#deps.claims.get(key);
    if (claim) await syncClaim(this.#deps, claim);
  }

  async #syncVolumeKey(key: string): Promise<void> {
    const volume = this.#deps.volumes.get(key);
    if (volume) await syncVolume(this.#deps, volume);
  }

  /** Every volume, then every claim, as upstream's periodic resync. */
  #resync(): void {
    for (const v of this.#deps.volumes.list()) this.#volumeQueue.add(keyOf(v));
    for (const c of this.#deps.claims.list()) this.#claimQueue.add(keyOf(c));
  }

  async run(signal: AbortSignal): Promise<void> {
    const { volumes, claims, classes, pods } = this.#deps;
    await Promise.all([
      volumes.informer.synced(),
      claims.informer.synced(),
      classes.synced(),
      pods.synced(),
    ]);
    let timer: Timer | undefined;
    const tick = () => {
      if (signal.aborted) return;
      this.#resync();
      timer = this.#ctx.clock.after(this.#syncPeriodMs, tick);
    };
    timer = this.#ctx.clock.after(this.#syncPeriodMs, tick);
    onAbort(signal, () => timer?.cancel());
    const log = this.#deps.log;
    await Promise.all([
      runWorkers({
        queue: this.#volumeQueue,
        workers: 1,
        sync: (key) => this.#syncVolumeKey(key),
        log,
        signal,
      }),
      runWorkers({
        queue: this.#claimQueue,
        workers: 1,
        sync: (key) => this.#syncClaimKey(key),
        log,
        signal,
      }),
    ]);
  }
}

export const persistentVolumeControllerFactory: ControllerFactory = {
  name: pvControllerName,
  create: (ctx) => new PersistentVolumeController(ctx),
};
