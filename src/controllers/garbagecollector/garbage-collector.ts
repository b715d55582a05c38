/**
 * The garbage collector (upstream `pkg/controller/garbagecollector`): deletes objects whose
 * owners are all gone (Background), deletes the blocking dependents of owners deleted in the
 * Foreground before removing their `foregroundDeletion` finalizer, and orphans the dependents of
 * owners deleted with `orphan`. Owners are checked against the API by uid, so an owner re-created
 * under the same name does not keep the old one's dependents alive. Discovery is refreshed
 * periodically so that custom resources are collected too.
 */
import type { OwnerReference } from "../../api/generated/types.ts";
import type { KubeObject } from "../../api/object.ts";
import { WorkQueue } from "../../client/work-queue.ts";
import { onAbort } from "../../machinery/abort.ts";
import type { Controller, ControllerContext, ControllerFactory } from "../context.ts";
import { type DiscoveredResources, discoverResources } from "./discovery.ts";
import { AbsentOwnerCache, type GraphNode, ownerIdentity } from "./graph.ts";
import { foregroundFinalizer, GraphBuilder, orphanFinalizer } from "./graph-builder.ts";
import { GcOperations, type PropagationPolicy } from "./operations.ts";

export interface GarbageCollectorOptions {
  /** How often discovery is re-read for new resources (upstream 30 s). */
  readonly resyncPeriodMs?: number;
  /** Workers per queue (upstream `--concurrent-gc-syncs`, 20). */
  readonly workers?: number;
}

/** What a worker does with its key afterwards. */
type Outcome = "forget" | "requeue";

interface Classified {
  solid: OwnerReference[];
  dangling: OwnerReference[];
  waitingForDependentsDeletion: OwnerReference[];
}

class NamespacedOwnerOfClusterScopedObject extends Error {}

function hasFinalizer(obj: KubeObject, finalizer: string): boolean {
  return (obj.metadata?.finalizers ?? []).includes(finalizer);
}

export class GarbageCollector implements Controller {
  readonly name = "garbage-collector-controller";
  readonly #ctx: ControllerContext;
  readonly #options: GarbageCollectorOptions;
  readonly #attemptToDelete = new WorkQueue<string>({ maxDelayMs: 300_000 });
  readonly #attemptToOrphan = new WorkQueue<string>({ maxDelayMs: 300_000 });
  readonly #absentOwnerCache = new AbsentOwnerCache();
  readonly #builder: GraphBuilder;
  #ops: GcOperations | undefined;

  constructor(ctx: ControllerContext, options: GarbageCollectorOptions = {}) {
    this.#ctx = ctx;
    this.#options = options;
    this.#builder = new GraphBuilder({
      client: ctx.client,
      log: ctx.log,
      attemptToDelete: this.#attemptToDelete,
      attemptToOrphan: this.#attemptToOrphan,
      absentOwnerCache: this.#absentOwnerCache,
      shared: (gvr) => ctx.informers.existing(gvr),
    });
  }

  /** The graph, for tests and debugging. */
  get graph(): ReadonlyMap<string, GraphNode> {
    return this.#builder.uidToNode;
  }

  get #operations(): GcOperations {
    if (!this.#ops) throw new Error("garbage collector not started");
    return this.#ops;
  }

  /** `isDangling`: the owner is gone, or another object (another uid) has its name. */
  async #isDangling(
    ref: OwnerReference,
    item: GraphNode,
  ): Promise<{ dangling: boolean; owner?: KubeObject }> {
    const id = ownerIdentity(ref, item.identity.namespace);
    const clusterId = { ...id, namespace: "" };
    if (this.#absentOwnerCache.has(clusterId) || this.#absentOwnerCache.has(id))
      return { dangling: true };
    const resource = this.#operations.resourceFor(ref.apiVersion, ref.kind);
    const key = resource.gvr.namespaced ? id : clusterId;
    if (!item.identity.namespace && resource.gvr.namespaced) {
      throw new NamespacedOwnerOfClusterScopedObject(
        `cluster-scoped ${item.identity.kind} ${item.identity.name} names namespaced owner ${ref.kind} ${ref.name}`,
      );
    }
    const owner = await this.#operations.getObject(key);
    if (!owner || owner.metadata?.uid !== ref.uid) {
      this.#absentOwnerCache.add(key);
      return { dangling: true };
    }
    return { dangling: false, owner };
  }

  async #classifyReferences(item: GraphNode, refs: readonly OwnerReference[]): Promise<Classified> {
    const out: Classified = { solid: [], dangling: [], waitingForDependentsDeletion: [] };
    for (const ref of refs) {
      const { dangling, owner } = await this.#isDangling(ref, item);
      if (dangling) out.dangling.push(ref);
      else if (owner?.metadata?.deletionTimestamp && hasFinalizer(owner, foregroundFinalizer)) {
        out.waitingForDependentsDeletion.push(ref);
      } else out.solid.push(ref);
    }
    return out;
  }

  /** An owner deleting in the Foreground: done when no blocking dependent remains. */
  async #processDeletingDependentsItem(item: GraphNode): Promise<void> {
    const blocking = item.blockingDependents();
    if (blocking.length === 0) {
      this.#ctx.log.debug("removing foregroundDeletion finalizer", { item: item.identity });
      await this.#operations.removeFinalizer(item.identity, foregroundFinalizer);
      return;
    }
    for (const dep of blocking)
      if (!dep.deletingDependents) this.#attemptToDelete.add(dep.identity.uid);
  }

  /** `attemptToDeleteItem`; "virtual" means the object turned out to be gone. */
  async #attemptToDeleteItem(item: GraphNode): Promise<"virtual" | "done"> {
    if (item.beingDeleted && !item.deletingDependents) return "done";
    const latest = await this.#operations.getObject(item.identity);
    if (!latest || latest.metadata?.uid !== item.identity.uid) {
      this.#builder.virtualDelete(item.identity);
      return "virtual";
    }
    if (item.deletingDependents) {
      await this.#processDeletingDependentsItem(item);
      return "done";
    }
    const refs = latest.metadata?.ownerReferences ?? [];
    if (refs.length === 0) return "done";
    const {
      solid,
      dangling,
      waitingForDependentsDeletion: waiting,
    } = await this.#classifyReferences(item, refs);
    if (solid.length > 0) {
      if (dangling.length === 0 && waiting.length === 0) return "done";
      // Keep the live owners; drop the gone ones and those waiting on their dependents.
      const drop = new Set([...dangling, ...waiting].map((r) => r.uid));
      await this.#operations.patchOwnerReferences(item.identity, (cur) =>
        cur.filter((r) => !drop.has(r.uid)),
      );
      return "done";
    }
    if (waiting.length > 0 && item.dependents.size > 0) {
      if ([...item.dependents].some((d) => d.deletingDependents)) {
        // Break a possible cycle of foreground deletions: stop blocking our owners first.
        await this.#operations.patchOwnerReferences(item.identity, (cur) =>
          cur.map((r) => (r.blockOwnerDeletion ? { ...r, blockOwnerDeletion: false } : r)),
        );
      }
      await this.#operations.deleteObject(item.identity, "Foreground");
      return "done";
    }
    const policy: PropagationPolicy = hasFinalizer(latest, orphanFinalizer)
      ? "Orphan"
      : hasFinalizer(latest, foregroundFinalizer)
        ? "Foreground"
        : "Background";
    this.#ctx.log.debug("deleting object without owners", { item: item.identity, policy });
    await this.#operations.deleteObject(item.identity, policy);
    return "done";
  }

  async #attemptToDeleteWorker(uid: string): Promise<Outcome> {
    const item = this.#builder.uidToNode.get(uid);
    if (!item) return "forget";
    try {
      if ((await this.#attemptToDeleteItem(item)) === "virtual") return "forget";
    } catch (err) {
      if (err instanceof NamespacedOwnerOfClusterScopedObject) {
        this.#ctx.log.warn("invalid owner reference", { err });
        return "forget";
      }
      throw err;
    }
    // A virtual node whose object exists waits for its informer (or its deletion) to show up.
    return item.virtual ? "requeue" : "forget";
  }

  /** `attemptToOrphanWorker`: unlink every dependent, then let the owner go. */
  async #attemptToOrphanWorker(uid: string): Promise<Outcome> {
    const owner = this.#builder.uidToNode.get(uid);
    if (!owner) return "forget";
    await Promise.all(
      [...owner.dependents].map((dep) =>
        this.#operations.patchOwnerReferences(dep.identity, (cur) =>
          cur.filter((r) => r.uid !== uid),
        ),
      ),
    );
    await this.#operations.removeFinalizer(owner.identity, orphanFinalizer);
    return "forget";
  }

  async #discover(signal: AbortSignal): Promise<DiscoveredResources | undefined> {
    for (let delay = 500; !signal.aborted; delay = Math.min(delay * 2, 30_000)) {
      try {
        return await discoverResources(this.#ctx.client);
      } catch (err) {
        this.#ctx.log.warn("discovery failed; retrying", { err, backoffMs: delay });
        await new Promise((r) => setTimeout(r, delay).unref());
      }
    }
    return undefined;
  }

  /** Re-reads discovery every period (on the injected clock) and adjusts the monitors. */
  #scheduleResync(signal: AbortSignal): void {
    const period = this.#options.resyncPeriodMs ?? 30_000;
    const timer = this.#ctx.clock.after(period, () => {
      if (signal.aborted) return;
      discoverResources(this.#ctx.client)
        .then((found) => {
          this.#operations.discovered = found;
          this.#builder.syncMonitors(found.deletable, signal);
        })
        .catch((err: unknown) => this.#ctx.log.warn("discovery resync failed", { err }))
        .finally(() => this.#scheduleResync(signal));
    });
    onAbort(signal, () => timer.cancel());
  }

  async run(signal: AbortSignal): Promise<void> {
    const found = await this.#discover(signal);
    if (!found) return;
    this.#ops = new GcOperations(this.#ctx.client, found);
    this.#builder.syncMonitors(found.deletable, signal);
    await this.#builder.waitSynced(60_000);
    this.#ctx.log.info("garbage collector synced", { resources: this.#builder.monitoredResources });
    this.#scheduleResync(signal);
    const workers = this.#options.workers ?? 10;
    await Promise.all([
      runQueue(
        this.#attemptToDelete,
        workers,
        (uid) => this.#attemptToDeleteWorker(uid),
        this.#ctx,
        signal,
      ),
      runQueue(
        this.#attemptToOrphan,
        workers,
        (uid) => this.#attemptToOrphanWorker(uid),
        this.#ctx,
        signal,
      ),
    ]);
  }
}

/** Workers over a queue where a worker may ask for a quiet, rate-limited requeue. */
async function runQueue(
  queue: WorkQueue<string>,
  workers: number,
  work: (key: string) => Promise<Outcome>,
  ctx: ControllerContext,
  signal: AbortSignal,
): Promise<void> {
  onAbort(signal, () => queue.shutDown());
  const worker = async () => {
    for (let key = await queue.get(); key !== undefined; key = await queue.get()) {
      try {
        if ((await work(key)) === "forget") queue.forget(key);
        else queue.addRateLimited(key);
      } catch (err) {
        ctx.log.warn("garbage collection failed; will retry", { key, err });
        queue.addRateLimited(key);
      } finally {
        queue.done(key);
      }
    }
  };
  await Promise.all(Array.from({ length: workers }, worker));
}

export function newGarbageCollectorFactory(
  options: GarbageCollectorOptions = {},
): ControllerFactory {
  return {
    name: "garbage-collector-controller",
    create: (ctx) => new GarbageCollector(ctx, options),
  };
}

export const garbageCollectorFactory: ControllerFactory = newGarbageCollectorFactory();
