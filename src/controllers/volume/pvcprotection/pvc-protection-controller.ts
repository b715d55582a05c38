/**
 * The PVC protection controller (upstream `pkg/controller/volume/pvcprotection`): a claim being
 * deleted keeps its `kubernetes.io/pvc-protection` finalizer while a scheduled pod uses it, so
 * data is not pulled from under a running pod; once no pod does, the finalizer goes and the
 * claim with it. Claims that lack the finalizer (created before the admission plugin) get it.
 *
 * "Uses" is upstream's: a pod with `spec.nodeName` whose volumes name the claim (a generic
 * ephemeral volume's claim counts only until the pod is shut down — deleted with grace period
 * 0). The informer is asked first; before a finalizer is removed the pods of the namespace are
 * listed live (one list shared by the claims processed right after it, as upstream), so a pod
 * the informer has not seen yet still protects the claim. Pod changes
 * that can free a claim (deleted, terminated, or never scheduled) enqueue the claims they name.
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
import {
  isPodTerminated,
  type PersistentVolumeClaim,
  type Pod,
  pvcProtectionFinalizer,
} from "../common/volume-util.ts";

export const pvcProtectionControllerName = "persistentvolumeclaim-protection-controller";
const livePodListTtlMs = 1000;

/** `podIsShutDown`: deleted with grace period 0 (kubelet done, or force-deleted). */
export function podIsShutDown(pod: Pod): boolean {
  return !!pod.metadata?.deletionTimestamp && pod.metadata.deletionGracePeriodSeconds === 0;
}

/** `podUsesPVC`. */
export function podUsesPVC(pod: Pod, claim: PersistentVolumeClaim): boolean {
  if (!pod.spec?.nodeName || pod.metadata?.namespace !== claim.metadata?.namespace) return false;
  const claimName = claim.metadata?.name ?? "";
  return (pod.spec.volumes ?? []).some((v) => {
    if (v.persistentVolumeClaim) return v.persistentVolumeClaim.claimName === claimName;
    if (!v.ephemeral || podIsShutDown(pod)) return false;
    if (`${pod.metadata?.name}-${v.name}` !== claimName) return false;
    // `VolumeIsForPod`: the ephemeral claim is owned by this pod.
    return (claim.metadata?.ownerReferences ?? []).some(
      (o) => o.controller === true && o.uid === pod.metadata?.uid,
    );
  });
}

export class PVCProtectionController implements Controller {
  readonly name = pvcProtectionControllerName;
  readonly #ctx: ControllerContext;
  readonly #queue = new WorkQueue<string>({ maxDelayMs: 60_000 });
  readonly #claims;
  readonly #pods;
  readonly #livePods = new Map<string, { at: number; pods: Pod[] }>();

  constructor(ctx: ControllerContext) {
    this.#ctx = ctx;
    this.#claims = ctx.informers.informer<PersistentVolumeClaim>(resources.persistentvolumeclaims);
    this.#pods = ctx.informers.informer<Pod>(resources.pods);
    const claimChanged = (claim: PersistentVolumeClaim) => {
      if (
        needToAddFinalizer(claim, pvcProtectionFinalizer) ||
        isDeletionCandidate(claim, pvcProtectionFinalizer)
      ) {
        this.#queue.add(keyOf(claim));
      }
    };
    this.#claims.addHandlers({ onAdd: claimChanged, onUpdate: (_, c) => claimChanged(c) });
    this.#pods.addHandlers({
      onAdd: (pod) => this.#podChanged(pod, false),
      onUpdate: (old, pod) => {
        this.#podChanged(pod, false);
        if (old.metadata?.uid !== pod.metadata?.uid) this.#podChanged(old, true);
      },
      onDelete: (pod) => this.#podChanged(pod, true),
    });
  }

  /** `enqueuePVCs`: only pods that can let a claim go matter. */
  #podChanged(pod: Pod, deleted: boolean): void {
    this.#livePods.delete(pod.metadata?.namespace ?? "");
    if (!deleted && !isPodTerminated(pod) && pod.spec?.nodeName) return;
    const ns = pod.metadata?.namespace ?? "";
    for (const v of pod.spec?.volumes ?? []) {
      if (v.persistentVolumeClaim) this.#queue.add(`${ns}/${v.persistentVolumeClaim.claimName}`);
      else if (v.ephemeral) this.#queue.add(`${ns}/${pod.metadata?.name}-${v.name}`);
    }
  }

  async processPVC(key: string): Promise<void> {
    const claim = this.#claims.getByKey(key);
    if (!claim) return;
    const path = resourcePath(
      resources.persistentvolumeclaims,
      claim.metadata?.namespace ?? "",
      claim.metadata?.name ?? "",
    );
    if (isDeletionCandidate(claim, pvcProtectionFinalizer)) {
      if (await this.#isBeingUsed(claim)) {
        this.#ctx.log.debug("keeping PVC because it is being used", { pvc: key });
        return;
      }
      await removeFinalizer(this.#ctx.client, path, claim, pvcProtectionFinalizer);
      this.#ctx.log.info("removed protection finalizer from PVC", { pvc: key });
      return;
    }
    if (needToAddFinalizer(claim, pvcProtectionFinalizer)) {
      await addFinalizer(this.#ctx.client, path, claim, pvcProtectionFinalizer);
    }
  }

  async #isBeingUsed(claim: PersistentVolumeClaim): Promise<boolean> {
    const ns = claim.metadata?.namespace ?? "";
    if (this.#pods.list(ns).some((pod) => podUsesPVC(pod, claim))) return true;
    return (await this.#livePodList(ns)).some((pod) => podUsesPVC(pod, claim));
  }

  /**
   * Upstream's `LazyLivePodList`: one live list of the namespace's pods serves the claims
   * processed right after it (many claims deleted at once cost one list, not one each). It is
   * dropped after a second or as soon as the informer sees any pod of the namespace change.
   */
  async #livePodList(ns: string): Promise<Pod[]> {
    const cached = this.#livePods.get(ns);
    if (cached && this.#ctx.clock.now() - cached.at < livePodListTtlMs) return cached.pods;
    const at = this.#ctx.clock.now();
    const live = await this.#ctx.client.get<{ items: Pod[] }>(resourcePath(resources.pods, ns));
    this.#livePods.set(ns, { at, pods: live.items });
    return live.items;
  }

  async run(signal: AbortSignal): Promise<void> {
    await Promise.all([this.#claims.synced(), this.#pods.synced()]);
    await runWorkers({
      queue: this.#queue,
      workers: 1,
      sync: (key) => this.processPVC(key),
      log: this.#ctx.log.with({ controller: this.name }),
      signal,
    });
  }
}

export const pvcProtectionControllerFactory: ControllerFactory = {
  name: pvcProtectionControllerName,
  create: (ctx) => new PVCProtectionController(ctx),
};
