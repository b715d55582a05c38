/**
 * What a delete does to an object that cannot vanish at once (upstream `rest.BeforeDelete` and
 * the generic store's finalizer handling): graceful deletion sets deletionTimestamp in the future,
 * propagation policies become the `orphan` / `foregroundDeletion` finalizers, and the object is
 * removed from storage only when no finalizer and no grace period remain.
 */
import type { KubeObject } from "../../api/object.ts";
import type { Strategy } from "../../api/strategy.ts";
import { deepCopy } from "../../machinery/patch/json-value.ts";
import { formatTime } from "../../machinery/time.ts";

export type PropagationPolicy = "Orphan" | "Background" | "Foreground";

export interface DeleteOptions {
  gracePeriodSeconds?: number;
  preconditions?: { uid?: string; resourceVersion?: string };
  propagationPolicy?: PropagationPolicy;
  orphanDependents?: boolean;
  dryRun?: string[];
}

export const orphanFinalizer = "orphan";
export const foregroundFinalizer = "foregroundDeletion";

export function propagationOf(
  options: DeleteOptions,
  strategy: Strategy,
): PropagationPolicy | undefined {
  if (options.propagationPolicy) return options.propagationPolicy;
  if (options.orphanDependents === true) return "Orphan";
  if (options.orphanDependents === false) return "Background";
  return strategy.defaultPropagation === "Background" ? undefined : strategy.defaultPropagation;
}

/** The finalizers after applying a propagation policy (upstream `deletionFinalizersForGarbageCollection`). */
export function finalizersFor(current: readonly string[], policy: PropagationPolicy | undefined) {
  const rest = current.filter((f) => f !== orphanFinalizer && f !== foregroundFinalizer);
  if (policy === "Orphan") return [...rest, orphanFinalizer];
  if (policy === "Foreground") return [...rest, foregroundFinalizer];
  if (policy === "Background") return rest;
  return [...current];
}

export interface DeletePlan {
  /** Remove from storage now. */
  readonly immediate: boolean;
  /** The object to write instead, when not immediate. */
  readonly updated: KubeObject;
}

/** True when nothing keeps a deleted object any longer. */
export function readyToRemove(obj: KubeObject, strategy: Strategy): boolean {
  const meta = obj.metadata ?? {};
  if (!meta.deletionTimestamp) return false;
  const blocking = [...(meta.finalizers ?? []), ...(strategy.blockingFinalizers?.(obj) ?? [])];
  return blocking.length === 0 && (meta.deletionGracePeriodSeconds ?? 0) === 0;
}

/** Decides what a delete does to `current` (a copy is changed, never `current` itself). */
export function planDelete(
  current: KubeObject,
  options: DeleteOptions,
  strategy: Strategy,
  now: number,
): DeletePlan {
  const updated = deepCopy(current);
  updated.metadata ??= {};
  const meta = updated.metadata;
  let requested = options.gracePeriodSeconds;
  if (requested !== undefined && requested < 0) requested = 1;
  const policy = propagationOf(options, strategy);
  const metaFinalizers = finalizersFor(meta.finalizers ?? [], policy);
  if (metaFinalizers.length > 0) meta.finalizers = metaFinalizers;
  else delete meta.finalizers;
  const finalizers = [...metaFinalizers, ...(strategy.blockingFinalizers?.(updated) ?? [])];

  if (meta.deletionTimestamp) {
    // Already being deleted: a shorter grace period may bring the deadline forward.
    const grace = meta.deletionGracePeriodSeconds ?? 0;
    if (requested !== undefined && requested < grace) {
      meta.deletionGracePeriodSeconds = requested;
      meta.deletionTimestamp = formatTime(now + requested * 1000);
    }
    const done = finalizers.length === 0 && (meta.deletionGracePeriodSeconds ?? 0) === 0;
    return { immediate: done, updated };
  }
  const grace = strategy.gracePeriodSeconds?.(current, requested) ?? 0;
  if (grace === 0 && finalizers.length === 0) return { immediate: true, updated };
  strategy.prepareForDelete?.(updated);
  meta.deletionTimestamp = formatTime(now + grace * 1000);
  meta.deletionGracePeriodSeconds = grace;
  if (meta.generation !== undefined && meta.generation > 0) meta.generation += 1;
  return { immediate: false, updated };
}
