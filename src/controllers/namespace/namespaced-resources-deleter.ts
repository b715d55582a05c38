/**
 * `NamespacedResourcesDeleter`: empties a terminating namespace through the API. It marks the
 * namespace Terminating, deletes every namespaced resource discovery reveals (delete-collection
 * where supported, else one by one), reports progress in the namespace's conditions, and once
 * nothing is left removes the `kubernetes` finalizer with `PUT namespaces/<name>/finalize`.
 * While content remains it returns an estimate of the seconds until it may be gone.
 */
import type { Namespace, Pod } from "../../api/generated/types.ts";
import type { KubeObject } from "../../api/object.ts";
import { resourcePath, resources } from "../../client/resources.ts";
import type { RestClient } from "../../client/rest-client.ts";
import type { Clock } from "../../machinery/clock.ts";
import { isStatusError } from "../../machinery/status.ts";
import { formatTime } from "../../machinery/time.ts";
import {
  type DiscoveredResource,
  discoverNamespacedResources,
  groupDiscoveryFailedMessage,
} from "./discovery.ts";
import { NamespaceConditionUpdater } from "./namespace-conditions.ts";

/** The finalizer this controller owns (`v1.FinalizerKubernetes`). */
export const finalizerKubernetes = "kubernetes";
/** Assumed seconds for finalizers on remaining content to complete. */
const finalizerEstimateSeconds = 15;

const deleteOptions = { propagationPolicy: "Background" };

interface GVRDeletionMetadata {
  estimate: number;
  numRemaining: number;
  finalizers: Map<string, number>;
}

/** Go's `%v` of a GroupVersionResource. */
const gvrString = (r: DiscoveredResource) =>
  `${r.group ? `${r.group}/` : "/"}${r.version}, Resource=${r.resource}`;

/** Go's `utilerrors.NewAggregate(errs).Error()`. */
function aggregate(errs: readonly Error[]): Error {
  if (errs.length === 1) return errs[0]!;
  return new Error(`[${errs.map((e) => e.message).join(", ")}]`);
}

export class NamespacedResourcesDeleter {
  readonly #client: RestClient;
  readonly #clock: Clock;

  constructor(options: { client: RestClient; clock: Clock }) {
    this.#client = options.client;
    this.#clock = options.clock;
  }

  #nsPath = (name: string, sub = "") => resourcePath(resources.namespaces, "", name, sub);

  /** One pass; returns seconds to wait before the next when content remains, else 0. */
  async delete(name: string): Promise<number> {
    let ns: Namespace;
    try {
      ns = await this.#client.get<Namespace>(this.#nsPath(name));
    } catch (err) {
      if (isStatusError(err, "NotFound")) return 0;
      throw err;
    }
    if (!ns.metadata?.deletionTimestamp) return 0;
    ns = await this.#retryOnConflict(ns, (n) => this.#updatePhase(n));
    if (!(ns.spec?.finalizers ?? []).includes(finalizerKubernetes)) return 0;
    const estimate = await this.deleteAllContent(ns);
    if (estimate > 0) return estimate;
    await this.#retryOnConflict(ns, (n) => this.#finalize(n)).catch((err: unknown) => {
      if (!isStatusError(err, "NotFound")) throw err;
    });
    return 0;
  }

  async #retryOnConflict(
    ns: Namespace,
    fn: (ns: Namespace) => Promise<Namespace>,
  ): Promise<Namespace> {
    let latest = ns;
    for (;;) {
      try {
        return await fn(latest);
      } catch (err) {
        if (!isStatusError(err, "Conflict")) throw err;
        const fresh = await this.#client.get<Namespace>(this.#nsPath(ns.metadata?.name ?? ""));
        if (fresh.metadata?.uid !== ns.metadata?.uid)
          throw new Error("namespace uid has changed across retries");
        latest = fresh;
      }
    }
  }

  async #updatePhase(ns: Namespace): Promise<Namespace> {
    if (ns.status?.phase === "Terminating") return ns;
    const next: Namespace = { ...ns, status: { ...ns.status, phase: "Terminating" } };
    return this.#client.update<Namespace>(this.#nsPath(ns.metadata?.name ?? "", "status"), next);
  }

  async #finalize(ns: Namespace): Promise<Namespace> {
    const finalizers = [
      ...new Set((ns.spec?.finalizers ?? []).filter((f) => f !== finalizerKubernetes)),
    ].sort();
    const next: Namespace = { ...ns, spec: { ...ns.spec, finalizers } };
    return this.#client.update<Namespace>(this.#nsPath(ns.metadata?.name ?? "", "finalize"), next);
  }

  /** Deletes everything in the namespace; the estimate is > 0 while content remains. */
  async deleteAllContent(ns: Namespace): Promise<number> {
    const name = ns.metadata?.name ?? "";
    const deletedAt = Date.parse(ns.metadata?.deletionTimestamp ?? "") || this.#clock.now();
    const updater = new NamespaceConditionUpdater();
    const errs: Error[] = [];
    const discovered = await discoverNamespacedResources(this.#client);
    if (discovered.failedGroups.size > 0) {
      const err = new Error(groupDiscoveryFailedMessage(discovered.failedGroups));
      errs.push(err);
      updater.processDiscoverResourcesErr(
        `Discovery failed for some groups, ${discovered.failedGroups.size} failing: ${err.message}`,
      );
    }
    let estimate = 0;
    const remaining = new Map<string, number>();
    const finalizers = new Map<string, number>();
    for (const gvr of discovered.resources) {
      try {
        const meta = await this.#deleteAllContentForGVR(gvr, name, deletedAt);
        estimate = Math.max(estimate, meta.estimate);
        if (meta.numRemaining > 0) remaining.set(`${gvr.resource}.${gvr.group}`, meta.numRemaining);
        for (const [f, n] of meta.finalizers) finalizers.set(f, (finalizers.get(f) ?? 0) + n);
      } catch (err) {
        const e = err instanceof Error ? err : new Error(String(err));
        errs.push(e);
        updater.processDeleteContentErr(e);
      }
    }
    updater.processContentTotals(remaining, finalizers);
    const status = structuredClone(ns.status ?? {});
    if (updater.update(status, formatTime(this.#clock.now()))) {
      await this.#client
        .update(this.#nsPath(name, "status"), { ...ns, status })
        .catch(() => undefined); // Best effort, as upstream: the next pass writes them again.
    }
    if (errs.length > 0) throw aggregate(errs);
    return estimate;
  }

  async #deleteAllContentForGVR(
    gvr: DiscoveredResource,
    ns: string,
    deletedAt: number,
  ): Promise<GVRDeletionMetadata> {
    const estimate = await this.#estimateGracefulTermination(gvr, ns, deletedAt);
    const path = resourcePath(gvr, ns);
    let collectionDeleted = false;
    if (gvr.verbs.includes("deletecollection")) {
      try {
        await this.#client.delete(path, deleteOptions);
        collectionDeleted = true;
      } catch (err) {
        if (!isStatusError(err, "MethodNotAllowed") && !isStatusError(err, "NotFound")) throw err;
      }
    }
    if (!gvr.verbs.includes("list")) return { estimate, numRemaining: 0, finalizers: new Map() };
    if (!collectionDeleted) {
      for (const item of await this.#list(path)) {
        await this.#client
          .delete(resourcePath(gvr, ns, item.metadata?.name ?? ""), deleteOptions)
          .catch((err: unknown) => {
            if (!isStatusError(err, "NotFound") && !isStatusError(err, "MethodNotAllowed"))
              throw err;
          });
      }
    }
    const items = await this.#list(path);
    if (items.length === 0) return { estimate: 0, numRemaining: 0, finalizers: new Map() };
    const finalizers = new Map<string, number>();
    for (const item of items) {
      for (const f of item.metadata?.finalizers ?? [])
        finalizers.set(f, (finalizers.get(f) ?? 0) + 1);
    }
    const numRemaining = items.length;
    if (estimate > 0) return { estimate, numRemaining, finalizers };
    // Finalizers on what remains are normal: give them time to complete.
    if (finalizers.size > 0)
      return { estimate: finalizerEstimateSeconds, numRemaining, finalizers };
    throw new Error(`unexpected items still remain in namespace: ${ns} for gvr: ${gvrString(gvr)}`);
  }

  async #list(path: string): Promise<KubeObject[]> {
    return (await this.#client.get<{ items: KubeObject[] }>(path)).items;
  }

  /** Pods may take their grace period to go; other resources are expected to go at once. */
  async #estimateGracefulTermination(gvr: DiscoveredResource, ns: string, deletedAt: number) {
    if (gvr.group !== "" || gvr.resource !== "pods") return 0;
    const pods = (await this.#list(resourcePath(resources.pods, ns))) as Pod[];
    let estimate = 0;
    for (const pod of pods) {
      if (pod.status?.phase === "Succeeded" || pod.status?.phase === "Failed") continue;
      estimate = Math.max(estimate, pod.spec?.terminationGracePeriodSeconds ?? 0);
    }
    // Past the longest grace period since the namespace was deleted, stop waiting for it.
    return this.#clock.now() - deletedAt >= estimate * 1000 ? 0 : estimate;
  }
}
