/**
 * The PV protection controller (upstream `pkg/controller/volume/pvprotection`): a volume being
 * deleted keeps its `kubernetes.io/pv-protection` finalizer while it is Bound to a claim; once
 * it is not (its claim went and it was Released, or it was never bound), the finalizer goes.
 * Volumes that lack the finalizer (created before the admission plugin) get it.
 */
import { runWorkers } from "../../../client/controller.ts";
import { keyOf } from "../../../client/informer.ts";
import { resourcePath, resources } from "../../../client/resources.ts";
import { WorkQueue } from "../../../client/work-queue.ts";
import type { Controller, ControllerContext, ControllerFactory } from "../../context.ts";
import {
  addFinalizer,
  isDeletionCandidate,
  needToAddFinalizer,
  removeFinalizer,
} from "../common/finalizers.ts";
import { type PersistentVolume, pvProtectionFinalizer } from "../common/volume-util.ts";

export const pvProtectionControllerName = "persistentvolume-protection-controller";

/** `isBeingUsed`: the PV controller keeps the phase Bound while a claim holds the volume. */
export const isVolumeInUse = (pv: PersistentVolume): boolean => pv.status?.phase === "Bound";

export class PVProtectionController implements Controller {
  readonly name = pvProtectionControllerName;
  readonly #ctx: ControllerContext;
  readonly #queue = new WorkQueue<string>({ maxDelayMs: 60_000 });
  readonly #volumes;

  constructor(ctx: ControllerContext) {
    this.#ctx = ctx;
    this.#volumes = ctx.informers.informer<PersistentVolume>(resources.persistentvolumes);
    const changed = (pv: PersistentVolume) => {
      if (
        needToAddFinalizer(pv, pvProtectionFinalizer) ||
        isDeletionCandidate(pv, pvProtectionFinalizer)
      ) {
        this.#queue.add(keyOf(pv));
      }
    };
    this.#volumes.addHandlers({ onAdd: changed, onUpdate: (_, pv) => changed(pv) });
  }

  async processPV(name: string): Promise<void> {
    const pv = this.#volumes.getByKey(name);
    if (!pv) return;
    const path = resourcePath(resources.persistentvolumes, "", name);
    if (isDeletionCandidate(pv, pvProtectionFinalizer)) {
      if (isVolumeInUse(pv)) {
        this.#ctx.log.debug("keeping PV because it is being used", { pv: name });
        return;
      }
      await removeFinalizer(this.#ctx.client, path, pv, pvProtectionFinalizer);
      this.#ctx.log.info("removed protection finalizer from PV", { pv: name });
      return;
    }
    if (needToAddFinalizer(pv, pvProtectionFinalizer)) {
      await addFinalizer(this.#ctx.client, path, pv, pvProtectionFinalizer);
    }
  }

  async run(signal: AbortSignal): Promise<void> {
    await this.#volumes.synced();
    await runWorkers({
      queue: this.#queue,
      workers: 1,
      sync: (key) => this.processPV(key),
      log: this.#ctx.log.with({ controller: this.name }),
      signal,
    });
  }
}

export const pvProtectionControllerFactory: ControllerFactory = {
  name: pvProtectionControllerName,
  create: (ctx) => new PVProtectionController(ctx),
};
