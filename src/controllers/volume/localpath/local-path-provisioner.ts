/**
 * The built-in local-path provisioner, controller side: an external provisioner (in the sense of
 * sig-storage-lib-external-provisioner) for `bosun.dev/local-path` that runs inside the
 * controller manager. See `src/api/storage/local-path.ts` for the conventions.
 *
 * Provisioning: a claim the PV controller handed to this provisioner (annotation
 * `volume.kubernetes.io/storage-provisioner`) and, for WaitForFirstConsumer, whose pod the
 * scheduler placed (`volume.kubernetes.io/selected-node`) gets a hostPath volume on that node
 * (`provision.ts`), pre-bound to it; the PV controller then binds the two. Events as the
 * library's: Provisioning, ProvisioningSucceeded, ProvisioningFailed. A vanished node sends the
 * claim back to the scheduler by removing the selected-node annotation.
 *
 * Deletion: a volume of this provisioner that is Released with policy Delete is deleted; its
 * `local-path.bosun.dev/cleanup` finalizer keeps it until its node's agent has removed the
 * directory. If the node itself is gone (its Node object deleted), so is its disk: the
 * finalizer is removed here.
 */
import type { Node } from "../../../api/generated/types.ts";
import type { KubeObject } from "../../../api/object.ts";
import {
  localPathCleanupFinalizer,
  localPathNodeLabel,
  localPathProvisioner,
} from "../../../api/storage/local-path.ts";
import { runWorkers } from "../../../client/controller.ts";
import { createEventRecorder, type EventRecorder } from "../../../client/event-recorder.ts";
import { type Informer, keyOf } from "../../../client/informer.ts";
import { resourcePath, resources } from "../../../client/resources.ts";
import { WorkQueue } from "../../../client/work-queue.ts";
import { isStatusError } from "../../../machinery/status.ts";
import type { Controller, ControllerContext, ControllerFactory } from "../../context.ts";
import { removeFinalizer } from "../common/finalizers.ts";
import {
  annBetaStorageProvisioner,
  annDynamicallyProvisioned,
  annSelectedNode,
  annStorageProvisioner,
  claimClass,
  claimKey,
  type PersistentVolume,
  type PersistentVolumeClaim,
  type StorageClass,
} from "../common/volume-util.ts";
import { localPathVolume, provisionedVolumeName, unsupportedClaim } from "./provision.ts";

type NodeObj = Node & KubeObject;

export const localPathProvisionerName = "local-path-provisioner";

const errorMessage = (err: unknown) => (err instanceof Error ? err.message : String(err));

export class LocalPathProvisioner implements Controller {
  readonly name = localPathProvisionerName;
  readonly #ctx: ControllerContext;
  readonly #recorder: EventRecorder;
  readonly #claims: Informer<PersistentVolumeClaim>;
  readonly #volumes: Informer<PersistentVolume>;
  readonly #classes: Informer<StorageClass>;
  readonly #nodes: Informer<NodeObj>;
  readonly #claimQueue = new WorkQueue<string>({ maxDelayMs: 300_000 });
  readonly #volumeQueue = new WorkQueue<string>({ maxDelayMs: 300_000 });

  constructor(ctx: ControllerContext) {
    this.#ctx = ctx;
    this.#recorder = createEventRecorder({
      client: ctx.client,
      component: localPathProvisioner,
      clock: ctx.clock,
      log: ctx.log,
    });
    this.#claims = ctx.informers.informer(resources.persistentvolumeclaims);
    this.#volumes = ctx.informers.informer(resources.persistentvolumes);
    this.#classes = ctx.informers.informer(resources.storageclasses);
    this.#nodes = ctx.informers.informer(resources.nodes);
    const claimChanged = (c: PersistentVolumeClaim) => {
      if (this.#isForUs(c)) this.#claimQueue.add(keyOf(c));
    };
    this.#claims.addHandlers({ onAdd: claimChanged, onUpdate: (_, c) => claimChanged(c) });
    const volumeChanged = (v: PersistentVolume) => {
      if (v.metadata?.annotations?.[annDynamicallyProvisioned] === localPathProvisioner) {
        this.#volumeQueue.add(keyOf(v));
      }
    };
    this.#volumes.addHandlers({ onAdd: volumeChanged, onUpdate: (_, v) => volumeChanged(v) });
    this.#nodes.addHandlers({
      onDelete: (node) => {
        for (const v of this.#volumes.list()) {
          if (v.metadata?.labels?.[localPathNodeLabel] === node.metadata?.name) volumeChanged(v);
        }
      },
    });
  }

  /** The claim waits for this provisioner (`shouldProvision`, before the class checks). */
  #isForUs(claim: PersistentVolumeClaim): boolean {
    if (claim.spec?.volumeName || claim.metadata?.deletionTimestamp) return false;
    const annotations = claim.metadata?.annotations ?? {};
    const provisioner =
      annotations[annStorageProvisioner] ?? annotations[annBetaStorageProvisioner];
    return provisioner === localPathProvisioner;
  }

  async syncClaim(key: string): Promise<void> {
    const claim = this.#claims.getByKey(key);
    if (!claim || !this.#isForUs(claim)) return;
    const klass = this.#classes.get("", claimClass(claim));
    if (!klass || klass.provisioner !== localPathProvisioner) return;
    const selected = claim.metadata?.annotations?.[annSelectedNode] ?? "";
    if (klass.volumeBindingMode === "WaitForFirstConsumer" && !selected) return;
    if (this.#volumes.getByKey(provisionedVolumeName(claim))) return;
    await this.#provision(claim, klass, selected);
  }

  async #provision(claim: PersistentVolumeClaim, klass: StorageClass, selected: string) {
    const failed = (message: string) =>
      this.#recorder.event(claim, "Warning", "ProvisioningFailed", message);
    const className = klass.metadata?.name ?? "";
    const refused = (why: string) =>
      failed(`failed to provision volume with StorageClass "${className}": ${why}`);
    let node: NodeObj | undefined;
    if (selected) {
      node = this.#nodes.get("", selected);
      if (!node) {
        failed(`nodes "${selected}" not found`);
        await this.#reschedule(claim);
        return;
      }
    }
    this.#recorder.event(
      claim,
      "Normal",
      "Provisioning",
      `External provisioner is provisioning volume for claim "${claimKey(claim)}"`,
    );
    if (!node) return refused("configuration error, no node was specified");
    const unsupported = unsupportedClaim(claim);
    if (unsupported) return refused(unsupported);
    const volume = localPathVolume({ claim, storageClass: klass, node });
    try {
      await this.#ctx.client.create(resourcePath(resources.persistentvolumes), volume);
    } catch (err) {
      if (!isStatusError(err, "AlreadyExists")) {
        refused(errorMessage(err));
        throw err;
      }
    }
    this.#ctx.log.info("provisioned volume", {
      claim: claimKey(claim),
      volume: volume.metadata?.name,
      node: selected,
      path: volume.spec?.hostPath?.path,
    });
    this.#recorder.event(
      claim,
      "Normal",
      "ProvisioningSucceeded",
      `Successfully provisioned volume ${volume.metadata?.name}`,
    );
  }

  /** `rescheduleProvisioning`: the scheduler picks another node. */
  async #reschedule(claim: PersistentVolumeClaim): Promise<void> {
    const path = resourcePath(
      resources.persistentvolumeclaims,
      claim.metadata?.namespace ?? "",
      claim.metadata?.name ?? "",
    );
    await this.#ctx.client.patch(path, "merge", {
      metadata: {
        annotations: { [annSelectedNode]: null },
        resourceVersion: claim.metadata?.resourceVersion,
      },
    });
  }

  async syncVolume(name: string): Promise<void> {
    const volume = this.#volumes.getByKey(name);
    if (volume?.metadata?.annotations?.[annDynamicallyProvisioned] !== localPathProvisioner) return;
    const path = resourcePath(resources.persistentvolumes, "", name);
    if (volume.metadata?.deletionTimestamp) {
      const node = volume.metadata.labels?.[localPathNodeLabel] ?? "";
      const holds = (volume.metadata.finalizers ?? []).includes(localPathCleanupFinalizer);
      if (holds && !this.#nodes.get("", node)) {
        this.#ctx.log.warn("node of a deleted local-path volume is gone; not cleaning up", {
          volume: name,
          node,
        });
        await removeFinalizer(this.#ctx.client, path, volume, localPathCleanupFinalizer);
      }
      return;
    }
    if (
      volume.status?.phase !== "Released" ||
      volume.spec?.persistentVolumeReclaimPolicy !== "Delete"
    ) {
      return;
    }
    this.#ctx.log.info("deleting released volume", { volume: name });
    try {
      await this.#ctx.client.delete(path, { preconditions: { uid: volume.metadata?.uid } });
    } catch (err) {
      if (isStatusError(err, "NotFound") || isStatusError(err, "Conflict")) return;
      this.#recorder.event(volume, "Warning", "VolumeFailedDelete", errorMessage(err));
      throw err;
    }
  }

  async run(signal: AbortSignal): Promise<void> {
    await Promise.all(
      [this.#claims, this.#volumes, this.#classes, this.#nodes].map((i) => i.synced()),
    );
    const log = this.#ctx.log.with({ controller: this.name });
    await Promise.all([
      runWorkers({
        queue: this.#claimQueue,
        workers: 2,
        sync: (k) => this.syncClaim(k),
        log,
        signal,
      }),
      runWorkers({
        queue: this.#volumeQueue,
        workers: 1,
        sync: (k) => this.syncVolume(k),
        log,
        signal,
      }),
    ]);
  }
}

export const localPathProvisionerFactory: ControllerFactory = {
  name: localPathProvisionerName,
  create: (ctx) => new LocalPathProvisioner(ctx),
};
