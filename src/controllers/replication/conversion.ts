/**
 * ReplicationControllers as ReplicaSets and back (upstream `pkg/controller/replication/
 * conversion.go`, `Convert_v1_ReplicationControllerSpec_To_apps_ReplicaSetSpec`): the spec and
 * status carry the same fields but for the selector, a label map that becomes `matchLabels`.
 * The view keeps the RC's kind and apiVersion, so the events recorded on it name the
 * ReplicationController, as upstream's podControlAdapter converts back for its events.
 */
import type { LabelSelector, ReplicationController } from "../../api/generated/types.ts";
import type { KubeObject } from "../../api/object.ts";
import type { ReplicaSet } from "../common/objects.ts";

export type ReplicationControllerObj = ReplicationController & KubeObject;

/** `convertRCtoRS`. A missing selector stays missing: it selects nothing, as upstream's nil. */
export function replicaSetFromRC(rc: ReplicationControllerObj): ReplicaSet {
  const { selector, ...spec } = rc.spec ?? {};
  const rsSpec = selector === undefined ? spec : { ...spec, selector: selectorFromMap(selector) };
  return {
    ...rc,
    apiVersion: "v1",
    kind: "ReplicationController",
    spec: rsSpec as ReplicaSet["spec"],
  } as ReplicaSet;
}

/** `convertRStoRC`: the selector's `matchLabels` back as the label map. */
export function rcFromReplicaSet(rs: ReplicaSet): ReplicationControllerObj {
  const { selector, ...spec } = rs.spec ?? ({} as NonNullable<ReplicaSet["spec"]>);
  const { terminatingReplicas: _unused, ...status } = rs.status ?? { replicas: 0 };
  return {
    ...rs,
    apiVersion: "v1",
    kind: "ReplicationController",
    spec: selector?.matchLabels === undefined ? spec : { ...spec, selector: selector.matchLabels },
    ...(rs.status === undefined ? {} : { status }),
  } as ReplicationControllerObj;
}

/** `metav1.Convert_Map_to_v1_LabelSelector`. */
function selectorFromMap(selector: Record<string, string>): LabelSelector {
  return { matchLabels: { ...selector } };
}

/** An object read from the API (a ReplicationController) as a ReplicaSet. */
export const fromStored = (obj: KubeObject): ReplicaSet =>
  replicaSetFromRC(obj as ReplicationControllerObj);
