/**
 * Controller references (`metav1.GetControllerOf`, `metav1.NewControllerRef`): the one owner
 * reference with `controller: true` says which controller manages an object.
 */

import type { OwnerReference } from "../../api/generated/types.ts";
import type { KubeObject } from "../../api/object.ts";

export interface ControllerKind {
  readonly apiVersion: string;
  readonly kind: string;
}

export function getControllerOf(obj: KubeObject): OwnerReference | undefined {
  return obj.metadata?.ownerReferences?.find((ref) => ref.controller === true);
}

export function newControllerRef(owner: KubeObject, kind: ControllerKind): OwnerReference {
  return {
    apiVersion: kind.apiVersion,
    kind: kind.kind,
    name: owner.metadata?.name ?? "",
    uid: owner.metadata?.uid ?? "",
    controller: true,
    blockOwnerDeletion: true,
  };
}

/** The owner `ref` names, if it is of `kind` and its uid still matches (`resolveControllerRef`). */
export function resolveControllerRef<T extends KubeObject>(
  ref: OwnerReference | undefined,
  kind: ControllerKind,
  lookup: (name: string) => T | undefined,
): T | undefined {
  if (!ref || ref.kind !== kind.kind) return undefined;
  const owner = lookup(ref.name);
  return owner?.metadata?.uid === ref.uid ? owner : undefined;
}
