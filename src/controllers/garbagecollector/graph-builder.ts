/**
 * The GraphBuilder (upstream `graph_builder.go`): one informer ("monitor") per deletable
 * resource keeps the owner/dependent graph current, and turns changes into work —
 * `attemptToDelete` for objects whose owners may be gone or that wait on their dependents,
 * `attemptToOrphan` for owners deleted with the `orphan` finalizer. Graph changes are applied
 * synchronously in the informer handlers (JavaScript runs them one at a time); the queues carry
 * uids.
 */
import type { OwnerReference } from "../../api/generated/types.ts";
import type { KubeObject } from "../../api/object.ts";
import { Informer, withHandlerScope } from "../../client/informer.ts";
import { keepMetadataOnly } from "../../client/informer-factory.ts";
import { RestClient } from "../../client/rest-client.ts";
import type { WorkQueue } from "../../client/work-queue.ts";
import { onAbort } from "../../machinery/abort.ts";
import type { Logger } from "../../machinery/log.ts";
import { type ApiResource, gvrKey } from "./discovery.ts";
import {
  type AbsentOwnerCache,
  GraphNode,
  type Identity,
  ownerIdentity,
  sameCoordinates,
} from "./graph.ts";

export const orphanFinalizer = "orphan";
export const foregroundFinalizer = "foregroundDeletion";

/**
 * Monitors watch through clients of their own, a few dozen watches each: a watch holds one of a
 * client's sockets for its lifetime, and the controllers' shared client must keep sockets for
 * ordinary requests.
 */
const watchesPerClient = 16;

interface Monitor {
  readonly informer: Informer;
  readonly abort: AbortController;
  /** Another controller's informer: only the handlers are the monitor's. */
  readonly shared?: boolean;
}

export interface GraphBuilderOptions {
  readonly client: RestClient;
  readonly log: Logger;
  readonly attemptToDelete: WorkQueue<string>;
  readonly attemptToOrphan: WorkQueue<string>;
  readonly absentOwnerCache: AbsentOwnerCache;
  /**
   * The informer other controllers of this process already run for a resource, if any: its
   * monitor then only adds handlers to it instead of watching the resource a second time (every
   * pod event parsed twice, every pod cached twice). Resources nobody else watches get a
   * metadata-only informer of their own, as upstream's monitors are.
   */
  readonly shared?: (gvr: ApiResource["gvr"]) => Informer<KubeObject> | undefined;
}

function waitingFor(obj: KubeObject | undefined, finalizer: string): boolean {
  const meta = obj?.metadata;
  return !!meta?.deletionTimestamp && (meta.finalizers ?? []).includes(finalizer);
}

/** Owner references added, removed and changed (same uid, other fields). */
function referencesDiffs(old: readonly OwnerReference[], next: readonly OwnerReference[]) {
  const oldByUid = new Map(old.map((r) => [r.uid, r]));
  const nextUids = new Set(next.map((r) => r.uid));
  const added = next.filter((r) => !oldByUid.has(r.uid));
  const removed = old.filter((r) => !nextUids.has(r.uid));
  const changed = next.flatMap((r) => {
    const before = oldByUid.get(r.uid);
    return before && JSON.stringify(before) !== JSON.stringify(r) ? [{ before, after: r }] : [];
  });
  return { added, removed, changed };
}

export class GraphBuilder {
  readonly uidToNode = new Map<string, GraphNode>();
  readonly #options: GraphBuilderOptions;
  readonly #monitors = new Map<string, Monitor>();
  readonly #watchClients: RestClient[] = [];
  #started = 0;

  constructor(options: GraphBuilderOptions) {
    this.#options = options;
  }

  /** Starts monitors for new resources and stops those of resources no longer served. */
  syncMonitors(resources: readonly ApiResource[], signal: AbortSignal): void {
    const wanted = new Map(resources.map((r) => [gvrKey(r.gvr), r]));
    for (const [key, monitor] of this.#monitors) {
      if (wanted.has(key)) continue;
      monitor.abort.abort();
      this.#monitors.delete(key);
    }
    for (const [key, resource] of wanted) {
      if (this.#monitors.has(key) || signal.aborted) continue;
      const abort = new AbortController();
      onAbort(signal, () => abort.abort());
      const handlers = {
        onAdd: (obj: KubeObject) => this.#observe(resource, obj, undefined),
        onUpdate: (old: KubeObject, obj: KubeObject) => this.#observe(resource, obj, old),
        onDelete: (obj: KubeObject) => this.#observeDelete(resource, obj),
      };
      const shared = this.#options.shared?.(resource.gvr);
      if (shared) {
        // Its handlers go when the monitor stops; the informer runs on for its other users.
        withHandlerScope(abort.signal, () => shared.addHandlers(handlers));
        this.#monitors.set(key, { informer: shared, abort, shared: true });
        continue;
      }
      const informer = new Informer<KubeObject>({
        client: this.#watchClient(signal),
        resource: resource.gvr,
        log: this.#options.log,
        // Upstream's monitors are metadata-only informers: the graph needs nothing else.
        transform: keepMetadataOnly,
      });
      informer.addHandlers(handlers);
      void informer.run(abort.signal);
      this.#monitors.set(key, { informer, abort });
    }
  }

  #watchClient(signal: AbortSignal): RestClient {
    const index = Math.floor(this.#started++ / watchesPerClient);
    let client = this.#watchClients[index];
    if (!client) {
      const created = new RestClient(this.#options.client.config);
      signal.addEventListener("abort", () => setTimeout(() => created.close(), 100).unref(), {
        once: true,
      });
      this.#watchClients.push(created);
      client = created;
    }
    return client;
  }

  /** Resolves when every monitor has listed once, or after `timeoutMs` (a broken resource must not stall the GC). */
  async waitSynced(timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((r) => {
      timer = setTimeout(r, timeoutMs);
      timer.unref();
    });
    await Promise.race([
      Promise.all([...this.#monitors.values()].map((m) => m.informer.synced())),
      timeout,
    ]);
    clearTimeout(timer);
  }

  get monitoredResources(): number {
    return this.#monitors.size;
  }

  /** Monitors that ride on another controller's informer (the rest watch for themselves). */
  get sharedMonitors(): number {
    return [...this.#monitors.values()].filter((m) => m.shared).length;
  }

  #identityOf(resource: ApiResource, obj: KubeObject): Identity {
    const meta = obj.metadata ?? {};
    return {
      apiVersion: resource.apiVersion,
      kind: resource.kind,
      namespace: meta.namespace ?? "",
      name: meta.name ?? "",
      uid: meta.uid ?? "",
    };
  }

  /** An add or update seen by an informer. */
  #observe(resource: ApiResource, obj: KubeObject, old: KubeObject | undefined): void {
    const meta = obj.metadata ?? {};
    if (!meta.uid) return;
    const identity = this.#identityOf(resource, obj);
    let node = this.uidToNode.get(meta.uid);
    if (node?.virtual) {
      // Dependents may have named this owner by other coordinates: let them be re-checked.
      if (!sameCoordinates(node.identity, identity)) {
        for (const dep of node.dependents) this.#options.attemptToDelete.add(dep.identity.uid);
        node.identity = identity;
      }
      node.virtual = false;
    }
    const refs = meta.ownerReferences ?? [];
    if (!node) {
      node = new GraphNode(identity, false);
      node.owners = [...refs];
      node.beingDeleted = !!meta.deletionTimestamp;
      node.deletingDependents = waitingFor(obj, foregroundFinalizer);
      this.uidToNode.set(meta.uid, node);
      this.#addDependentToOwners(node, node.owners);
    } else {
      const { added, removed, changed } = referencesDiffs(node.owners, refs);
      if (added.length + removed.length + changed.length > 0) {
        this.#addUnblockedOwnersToDeleteQueue(removed, changed);
        node.owners = [...refs];
        this.#addDependentToOwners(node, added);
        this.#removeDependentFromOwners(node, removed);
      }
      if (meta.deletionTimestamp) node.beingDeleted = true;
    }
    this.#processTransitions(old, obj, node);
  }

  #observeDelete(resource: ApiResource, obj: KubeObject): void {
    const node = this.uidToNode.get(obj.metadata?.uid ?? "");
    if (node) this.#removeNode(node, this.#identityOf(resource, obj));
  }

  /**
   * A lookup found the object of `identity` gone (or replaced by another uid). A virtual node
   * is removed; a node an informer observed under other coordinates stays, and only the
   * dependents that used the absent coordinates are re-checked.
   */
  virtualDelete(identity: Identity): void {
    const node = this.uidToNode.get(identity.uid);
    if (!node) return;
    if (node.virtual) {
      this.#removeNode(node, identity);
      return;
    }
    if (sameCoordinates(node.identity, identity)) return;
    this.#options.absentOwnerCache.add(identity);
    for (const dep of node.dependents) {
      const refs = dep.owners.filter((o) => o.uid === identity.uid);
      if (refs.some((o) => sameCoordinates(ownerIdentity(o, dep.identity.namespace), identity))) {
        this.#options.attemptToDelete.add(dep.identity.uid);
      }
    }
  }

  #addDependentToOwners(node: GraphNode, owners: readonly OwnerReference[]): void {
    for (const ref of owners) {
      let owner = this.uidToNode.get(ref.uid);
      if (!owner) {
        // Not seen yet: a virtual node, checked against the API by attemptToDelete.
        owner = new GraphNode(ownerIdentity(ref, node.identity.namespace), true);
        this.uidToNode.set(ref.uid, owner);
        this.#options.attemptToDelete.add(ref.uid);
      }
      owner.dependents.add(node);
    }
  }

  #removeDependentFromOwners(node: GraphNode, owners: readonly OwnerReference[]): void {
    for (const ref of owners) this.uidToNode.get(ref.uid)?.dependents.delete(node);
  }

  /** Owners waiting on dependents may be free once a blocking reference goes away. */
  #addUnblockedOwnersToDeleteQueue(
    removed: readonly OwnerReference[],
    changed: readonly { before: OwnerReference; after: OwnerReference }[],
  ): void {
    const unblocked = [
      ...removed.filter((r) => r.blockOwnerDeletion === true),
      ...changed
        .filter((c) => c.before.blockOwnerDeletion === true && c.after.blockOwnerDeletion !== true)
        .map((c) => c.after),
    ];
    for (const ref of unblocked) {
      if (this.uidToNode.get(ref.uid)?.deletingDependents)
        this.#options.attemptToDelete.add(ref.uid);
    }
  }

  #processTransitions(old: KubeObject | undefined, obj: KubeObject, node: GraphNode): void {
    const uid = node.identity.uid;
    if (waitingFor(obj, orphanFinalizer) && !waitingFor(old, orphanFinalizer)) {
      this.#options.attemptToOrphan.add(uid);
      return;
    }
    if (waitingFor(obj, foregroundFinalizer) && !waitingFor(old, foregroundFinalizer)) {
      node.deletingDependents = true;
      for (const dep of node.dependents) this.#options.attemptToDelete.add(dep.identity.uid);
      this.#options.attemptToDelete.add(uid);
    }
  }

  #removeNode(node: GraphNode, identity: Identity): void {
    this.uidToNode.delete(node.identity.uid);
    this.#removeDependentFromOwners(node, node.owners);
    if (node.dependents.size > 0) this.#options.absentOwnerCache.add(identity);
    for (const dep of node.dependents) this.#options.attemptToDelete.add(dep.identity.uid);
    for (const ref of node.owners) {
      if (this.uidToNode.get(ref.uid)?.deletingDependents)
        this.#options.attemptToDelete.add(ref.uid);
    }
  }
}
