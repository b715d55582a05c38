/**
 * NodeRestriction for PersistentVolumes (a Bosun addition; upstream kubelets never write
 * volumes): the Node authorizer lets a node update its own local-path volumes so that its agent
 * can drop the `local-path.bosun.dev/cleanup` finalizer after deleting the directory. Nothing
 * else may change: not the spec, labels, annotations or other finalizers.
 */
import { isDeepStrictEqual } from "node:util";
import type { PersistentVolume } from "../../../api/generated/types.ts";
import { localPathCleanupFinalizer, localPathNodeLabel } from "../../../api/storage/local-path.ts";
import type { NodeRequest } from "./node-restriction.ts";

/** Everything a node may not change: the object without finalizers and server-set fields. */
function fixedPart(pv: PersistentVolume) {
  const { finalizers: _f, managedFields: _m, resourceVersion: _r, ...meta } = pv.metadata ?? {};
  return { meta, spec: pv.spec };
}

export function admitPersistentVolume({ attrs, node }: NodeRequest): string | undefined {
  const name = attrs.name;
  const old = attrs.oldObject as PersistentVolume | undefined;
  const obj = attrs.object as PersistentVolume | undefined;
  if (attrs.operation !== "UPDATE" || attrs.subresource !== "" || !old || !obj) {
    return `node "${node}" is not allowed to modify persistentvolume "${name}"`;
  }
  if (old.metadata?.labels?.[localPathNodeLabel] !== node) {
    return `node "${node}" is not allowed to modify persistentvolume "${name}"`;
  }
  const before = old.metadata?.finalizers ?? [];
  const after = obj.metadata?.finalizers ?? [];
  const removedOnly = before.filter((f) => f !== localPathCleanupFinalizer);
  const finalizersOk = isDeepStrictEqual(after, before) || isDeepStrictEqual(after, removedOnly);
  if (!finalizersOk || !isDeepStrictEqual(fixedPart(obj), fixedPart(old))) {
    return `node "${node}" may only remove the "${localPathCleanupFinalizer}" finalizer of persistentvolume "${name}"`;
  }
  return undefined;
}
