/**
 * `persistentVolumeClaimRetentionPolicy` as owner references on a pod's claims (upstream
 * `updateClaimOwnerRefForSetAndPod`): whenDeleted=Delete makes the set the claim's controller,
 * so the garbage collector removes the claim with the set; whenScaled=Delete makes a
 * scaled-down pod the controller, so the claim goes with that pod. Retain (the default) leaves
 * the claim unowned. A claim controlled by something else is left to it.
 */
import type {
  OwnerReference,
  PersistentVolumeClaim,
  Pod,
  StatefulSet,
} from "../../api/generated/types.ts";
import { newControllerRef } from "../history/controller-revision.ts";
import { podInOrdinalRange, statefulSetKind } from "./stateful-set-utils.ts";

const podKind = { apiVersion: "v1", kind: "Pod" } as const;

type Kind = { apiVersion: string; kind: string };
type Named = { metadata?: { name?: string; uid?: string } };

/** `matchesRef`: the ref names this object (kind, group and name; uid may be stale). */
function matchesRef(ref: OwnerReference, obj: Named, kind: Kind): boolean {
  const group = (v: string) => (v.includes("/") ? v.slice(0, v.indexOf("/")) : "");
  return (
    ref.name === obj.metadata?.name &&
    ref.kind === kind.kind &&
    group(ref.apiVersion) === group(kind.apiVersion)
  );
}

/** The owner refs the claim should carry under the set's policy. */
export function claimOwnerRefs(
  claim: PersistentVolumeClaim,
  set: StatefulSet,
  pod: Pod,
): OwnerReference[] {
  const current = claim.metadata?.ownerReferences ?? [];
  const ours = (r: OwnerReference) =>
    matchesRef(r, set, statefulSetKind) || matchesRef(r, pod, podKind);
  const refs = current.filter((r) => !ours(r));
  // `hasUnexpectedController`: someone else controls the claim; only scrub our refs.
  if (refs.some((r) => r.controller === true)) return refs;
  const policy = set.spec?.persistentVolumeClaimRetentionPolicy ?? {};
  const whenDeleted = policy.whenDeleted ?? "Retain";
  const whenScaled = policy.whenScaled ?? "Retain";
  const scaledDown = !podInOrdinalRange(pod, set);
  const add = (owner: Named, kind: Kind) => {
    if (owner.metadata?.uid) refs.push(newControllerRef(owner, kind));
  };
  if (whenScaled === "Delete" && scaledDown) add(pod, podKind);
  else if (whenDeleted === "Delete") add(set, statefulSetKind);
  return refs;
}

/** Same refs as the claim has now (by uid and controller flag, order aside). */
export function sameOwnerRefs(
  claim: PersistentVolumeClaim,
  refs: readonly OwnerReference[],
): boolean {
  const key = (r: OwnerReference) => `${r.uid}/${r.controller === true}`;
  const have = (claim.metadata?.ownerReferences ?? []).map(key).sort();
  const want = refs.map(key).sort();
  return have.length === want.length && have.every((k, i) => k === want[i]);
}
