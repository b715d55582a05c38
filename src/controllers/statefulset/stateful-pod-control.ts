/**
 * The writes the StatefulSet controller makes for one pod (upstream `StatefulPodControl`): claims
 * before the pod, the pod itself, identity repairs, deletes, and the claims' owner references
 * that carry `persistentVolumeClaimRetentionPolicy`. Each write records upstream's event.
 */
import type { PersistentVolumeClaim, Pod, StatefulSet } from "../../api/generated/types.ts";
import type { KubeObject } from "../../api/object.ts";
import type { EventRecorder } from "../../client/event-recorder.ts";
import type { Informer } from "../../client/informer.ts";
import { resourcePath, resources } from "../../client/resources.ts";
import type { RestClient } from "../../client/rest-client.ts";
import { isStatusError } from "../../machinery/status.ts";
import { claimOwnerRefs, sameOwnerRefs } from "./claim-retention.ts";
import {
  getPersistentVolumeClaims,
  identityMatches,
  storageMatches,
  updateIdentity,
  updateStorage,
} from "./stateful-set-utils.ts";

const title = (verb: string) => verb.charAt(0).toUpperCase() + verb.slice(1);
const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

export class StatefulPodControl {
  readonly #client: RestClient;
  readonly #recorder: EventRecorder;
  readonly #claims: Informer<PersistentVolumeClaim>;

  constructor(options: {
    client: RestClient;
    recorder: EventRecorder;
    claims: Informer<PersistentVolumeClaim>;
  }) {
    this.#client = options.client;
    this.#recorder = options.recorder;
    this.#claims = options.claims;
  }

  /** `CreateStatefulPod`: claims first, then the pod, then the claims' retention owner refs. */
  async createStatefulPod(set: StatefulSet, pod: Pod): Promise<void> {
    try {
      await this.createPersistentVolumeClaims(set, pod);
    } catch (err) {
      this.#recordPodEvent("create", set, pod, err);
      throw err;
    }
    try {
      await this.#client.create(resourcePath(resources.pods, set.metadata?.namespace), pod);
    } catch (err) {
      if (isStatusError(err, "AlreadyExists")) throw err;
      this.#recordPodEvent("create", set, pod, err);
      throw err;
    }
    try {
      await this.updatePodClaimForRetentionPolicy(set, pod);
    } catch (err) {
      this.#recordPodEvent("update", set, pod, err);
      throw err;
    }
    this.#recordPodEvent("create", set, pod, undefined);
  }

  /** `UpdateStatefulPod`: repairs identity, storage and claim owners; one update at most. */
  async updateStatefulPod(set: StatefulSet, live: Pod): Promise<void> {
    const pod = structuredClone(live);
    let consistent = true;
    try {
      if (!identityMatches(set, pod)) {
        updateIdentity(set, pod);
        consistent = false;
      }
      if (!storageMatches(set, pod)) {
        updateStorage(set, pod);
        consistent = false;
        await this.createPersistentVolumeClaims(set, pod);
      }
      if (!this.claimsMatchRetentionPolicy(set, pod)) {
        await this.updatePodClaimForRetentionPolicy(set, pod);
      }
      if (consistent) return;
      const meta = pod.metadata ?? {};
      await this.#client.update(resourcePath(resources.pods, meta.namespace, meta.name), pod);
    } catch (err) {
      this.#recordPodEvent("update", set, pod, err);
      throw err;
    }
    this.#recordPodEvent("update", set, pod, undefined);
  }

  /** `DeleteStatefulPod`; a pod already gone is not an error. */
  async deleteStatefulPod(set: StatefulSet, pod: Pod): Promise<void> {
    const meta = pod.metadata ?? {};
    try {
      await this.#client.delete(resourcePath(resources.pods, meta.namespace, meta.name), {
        apiVersion: "v1",
        kind: "DeleteOptions",
        preconditions: { uid: meta.uid },
      });
    } catch (err) {
      if (isStatusError(err, "NotFound")) return;
      this.#recordPodEvent("delete", set, pod, err);
      throw err;
    }
    this.#recordPodEvent("delete", set, pod, undefined);
  }

  /** `createPersistentVolumeClaims`: creates the missing ones; one being deleted is an error. */
  async createPersistentVolumeClaims(set: StatefulSet, pod: Pod): Promise<void> {
    const errors: string[] = [];
    for (const claim of getPersistentVolumeClaims(set, pod).values()) {
      const name = claim.metadata?.name ?? "";
      const existing = this.#claims.get(claim.metadata?.namespace ?? "", name);
      if (existing) {
        if (existing.metadata?.deletionTimestamp) errors.push(`pvc ${name} is being deleted`);
        continue;
      }
      const refs = claimOwnerRefs(claim, set, pod);
      if (refs.length > 0) claim.metadata = { ...claim.metadata, ownerReferences: refs };
      try {
        await this.#client.create(
          resourcePath(resources.persistentvolumeclaims, set.metadata?.namespace),
          claim,
        );
        this.#recordClaimEvent("create", set, pod, claim, undefined);
      } catch (err) {
        if (isStatusError(err, "AlreadyExists")) continue;
        errors.push(`failed to create PVC ${name}: ${message(err)}`);
        this.#recordClaimEvent("create", set, pod, claim, err);
      }
    }
    if (errors.length > 0) throw new Error(errors.join(", "));
  }

  /** `ClaimsMatchRetentionPolicy`: every existing claim carries the owners the policy wants. */
  claimsMatchRetentionPolicy(set: StatefulSet, pod: Pod): boolean {
    for (const claim of getPersistentVolumeClaims(set, pod).values()) {
      const live = this.#claims.get(claim.metadata?.namespace ?? "", claim.metadata?.name ?? "");
      if (live && !sameOwnerRefs(live, claimOwnerRefs(live, set, pod))) return false;
    }
    return true;
  }

  /** `UpdatePodClaimForRetentionPolicy`: rewrites the owner refs of the claims that differ. */
  async updatePodClaimForRetentionPolicy(set: StatefulSet, pod: Pod): Promise<void> {
    for (const claim of getPersistentVolumeClaims(set, pod).values()) {
      const meta = claim.metadata ?? {};
      const live = this.#claims.get(meta.namespace ?? "", meta.name ?? "");
      if (!live) continue;
      const refs = claimOwnerRefs(live, set, pod);
      if (sameOwnerRefs(live, refs)) continue;
      const path = resourcePath(resources.persistentvolumeclaims, meta.namespace, meta.name);
      await this.#client.patch(path, "merge", {
        metadata: { ownerReferences: refs, resourceVersion: live.metadata?.resourceVersion },
      });
    }
  }

  #recordPodEvent(verb: string, set: StatefulSet, pod: Pod, err: unknown): void {
    const [pn, sn] = [pod.metadata?.name, set.metadata?.name];
    const obj = set as KubeObject;
    if (err === undefined) {
      const text = `${verb} Pod ${pn} in StatefulSet ${sn} successful`;
      this.#recorder.event(obj, "Normal", `Successful${title(verb)}`, text);
    } else {
      const text = `${verb} Pod ${pn} in StatefulSet ${sn} failed error: ${message(err)}`;
      this.#recorder.event(obj, "Warning", `Failed${title(verb)}`, text);
    }
  }

  #recordClaimEvent(
    verb: string,
    set: StatefulSet,
    pod: Pod,
    claim: PersistentVolumeClaim,
    err: unknown,
  ): void {
    const [cn, pn, sn] = [claim.metadata?.name, pod.metadata?.name, set.metadata?.name];
    const obj = set as KubeObject;
    if (err === undefined) {
      const text = `${verb} Claim ${cn} Pod ${pn} in StatefulSet ${sn} success`;
      this.#recorder.event(obj, "Normal", `Successful${title(verb)}`, text);
    } else {
      const text = `${verb} Claim ${cn} for Pod ${pn} in StatefulSet ${sn} failed error: ${message(err)}`;
      this.#recorder.event(obj, "Warning", `Failed${title(verb)}`, text);
    }
  }
}
