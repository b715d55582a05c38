/**
 * The kind a ReplicaSet controller manages. Upstream runs the ReplicationController manager as
 * the ReplicaSet controller given another GroupVersionKind and adapters that show RCs as
 * ReplicaSets (`pkg/controller/replication/conversion.go`); this is the same seam: the owner
 * kind, where the objects live, and how they read and write as ReplicaSets.
 */
import type { KubeObject } from "../../api/object.ts";
import type { Informer, InformerHandlers } from "../../client/informer.ts";
import type { InformerFactory } from "../../client/informer-factory.ts";
import { type GroupVersionResource, resources } from "../../client/resources.ts";
import type { ControllerKind } from "../common/controller-ref.ts";
import type { ReplicaSet } from "../common/objects.ts";

export const replicaSetKind: ControllerKind = { apiVersion: "apps/v1", kind: "ReplicaSet" };

/** What the controller reads from its informer (upstream's lister plus handlers). */
export type ReplicaSetLister = Pick<
  Informer<ReplicaSet>,
  "get" | "list" | "addHandlers" | "synced"
>;

export interface ReplicaSetKindAdapter {
  /** The controller's name (`replicaset`, `replicationcontroller`). */
  readonly name: string;
  /** The owner references it writes and resolves. */
  readonly kind: ControllerKind;
  /** Where the objects live: adoption rechecks and status writes go there. */
  readonly resource: GroupVersionResource;
  /** The kind's shared informer, its objects seen as ReplicaSets. */
  informer(informers: InformerFactory): ReplicaSetLister;
  /** An object read from the API, as a ReplicaSet. */
  fromStored(obj: KubeObject): ReplicaSet;
  /** A ReplicaSet view, as the object to write. */
  toStored(rs: ReplicaSet): KubeObject;
}

export const replicaSetAdapter: ReplicaSetKindAdapter = {
  name: "replicaset",
  kind: replicaSetKind,
  resource: resources.replicasets,
  informer: (informers) => informers.informer<ReplicaSet>(resources.replicasets),
  fromStored: (obj) => obj as ReplicaSet,
  toStored: (rs) => rs,
};

/**
 * An informer of another kind seen through `convert` (upstream's `informerAdapter`). Informer
 * objects never change once cached, so each is converted once and the view kept with it: a
 * sync sees the same ReplicaSet object for the same cached object, as the selectors that
 * remember their answers per object expect.
 */
export function convertingLister<T extends KubeObject>(
  informer: Informer<T>,
  convert: (obj: T) => ReplicaSet,
): ReplicaSetLister {
  const views = new WeakMap<T, ReplicaSet>();
  const view = (obj: T): ReplicaSet => {
    let rs = views.get(obj);
    if (!rs) {
      rs = convert(obj);
      views.set(obj, rs);
    }
    return rs;
  };
  return {
    get: (namespace, name) => {
      const obj = informer.get(namespace, name);
      return obj && view(obj);
    },
    list: (namespace) => informer.list(namespace).map(view),
    addHandlers: (handlers: InformerHandlers<ReplicaSet>) =>
      informer.addHandlers({
        onAdd: (obj) => handlers.onAdd?.(view(obj)),
        onUpdate: (old, obj) => handlers.onUpdate?.(view(old), view(obj)),
        onDelete: (obj) => handlers.onDelete?.(view(obj)),
      }),
    synced: () => informer.synced(),
  };
}
