/**
 * Protection finalizers (upstream `pkg/controller/util/protectionutil` and the controllers'
 * `addFinalizer`/`removeFinalizer`): written with a full update at the cached resourceVersion,
 * so a stale decision fails with a Conflict and is retried on fresh data.
 */
import type { KubeObject } from "../../../api/object.ts";
import type { RestClient } from "../../../client/rest-client.ts";

const finalizersOf = (obj: KubeObject) => obj.metadata?.finalizers ?? [];

/** `IsDeletionCandidate`: being deleted and still holding the finalizer. */
export function isDeletionCandidate(obj: KubeObject, finalizer: string): boolean {
  return !!obj.metadata?.deletionTimestamp && finalizersOf(obj).includes(finalizer);
}

/** `NeedToAddFinalizer`: not being deleted and lacking the finalizer. */
export function needToAddFinalizer(obj: KubeObject, finalizer: string): boolean {
  return !obj.metadata?.deletionTimestamp && !finalizersOf(obj).includes(finalizer);
}

export async function addFinalizer<T extends KubeObject>(
  client: RestClient,
  path: string,
  obj: T,
  finalizer: string,
): Promise<T> {
  const next = structuredClone(obj);
  next.metadata = { ...next.metadata, finalizers: [...finalizersOf(obj), finalizer] };
  return client.update<T>(path, next);
}

export async function removeFinalizer<T extends KubeObject>(
  client: RestClient,
  path: string,
  obj: T,
  finalizer: string,
): Promise<T> {
  const next = structuredClone(obj);
  next.metadata = {
    ...next.metadata,
    finalizers: finalizersOf(obj).filter((f) => f !== finalizer),
  };
  return client.update<T>(path, next);
}
