/**
 * Watches with Kubernetes' semantics over a Store watch: a start from "" or "0" first sends the
 * current objects as ADDED; selector filtering turns updates that cross the filter into ADDED or
 * DELETED; a compacted start revision ends the stream with an ERROR event (410 Expired).
 */
import type { KubeObject } from "../../api/object.ts";
import { newTooOldResourceVersion, type Status, type StatusError } from "../../machinery/status.ts";
import { isStoreError } from "../../storage/errors.ts";
import type { WatchEvent as StoreEvent } from "../../storage/store.ts";
import type { GenericRegistry } from "./generic-registry.ts";
import { listObjects, parseResourceVersion } from "./list.ts";
import { toStatusError } from "./storage-errors.ts";

export type WatchEventType = "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK" | "ERROR";

export interface WatchEvent {
  readonly type: WatchEventType;
  readonly object: KubeObject | Status;
}

export interface WatchOptions {
  readonly filter?: (obj: KubeObject) => boolean;
  readonly resourceVersion?: string;
  readonly signal?: AbortSignal;
}

export async function* watchObjects(
  registry: GenericRegistry,
  namespace: string,
  options: WatchOptions,
): AsyncGenerator<WatchEvent> {
  const filter = options.filter ?? (() => true);
  let after = parseResourceVersion(options.resourceVersion);
  if (after === 0) {
    const initial = await listObjects(registry, namespace, { filter });
    for (const obj of initial.items) yield { type: "ADDED", object: obj };
    after = Number(initial.metadata.resourceVersion);
  }
  const storeWatch = registry.store.watch(registry.prefix(namespace), {
    afterRevision: after,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  try {
    for await (const ev of storeWatch) {
      if (ev.type === "progress") continue;
      const out = toWatchEvent(registry, ev, filter);
      if (out) yield out;
    }
  } catch (err) {
    if (isStoreError(err, "Compacted")) {
      const status = newTooOldResourceVersion(after, err.compactRevision ?? after);
      yield { type: "ERROR", object: status.status };
      return;
    }
    const status = toStatusError(err, registry.groupResource) as StatusError;
    yield { type: "ERROR", object: status.status ?? { message: String(err) } };
  } finally {
    storeWatch.close();
  }
}

function toWatchEvent(
  registry: GenericRegistry,
  ev: StoreEvent,
  filter: (obj: KubeObject) => boolean,
): WatchEvent | undefined {
  const rev = String(ev.kv.modRevision);
  const previous = () => {
    const prev = registry.fromStored(ev.prev!);
    prev.metadata!.resourceVersion = rev;
    return prev;
  };
  if (ev.type === "delete") {
    if (!ev.prev) return undefined;
    const prev = previous();
    return filter(prev) ? { type: "DELETED", object: prev } : undefined;
  }
  const obj = registry.fromStored(ev.kv);
  const now = filter(obj);
  if (ev.type === "create" || !ev.prev) return now ? { type: "ADDED", object: obj } : undefined;
  const before = filter(registry.fromStored(ev.prev));
  if (now) return { type: before ? "MODIFIED" : "ADDED", object: obj };
  return before ? { type: "DELETED", object: previous() } : undefined;
}
