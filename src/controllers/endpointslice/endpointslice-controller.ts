/**
 * The EndpointSlice controller (upstream `pkg/controller/endpointslice`): for every Service with
 * a selector, EndpointSlices (at most 100 endpoints each) labelled with the service name and
 * `endpointslice.kubernetes.io/managed-by`, owned by the Service. Handlers only enqueue service
 * keys; `syncService` computes the desired endpoints from the caches and applies the minimal
 * plan the reconciler returns, so a change to one pod rewrites one slice.
 */
import type {
  Node as NodeType,
  Pod as PodType,
  Service as ServiceType,
} from "../../api/generated/types.ts";
import type { KubeObject } from "../../api/object.ts";
import { runWorkers } from "../../client/controller.ts";
import { type Informer, keyOf, splitKey } from "../../client/informer.ts";
import { resourcePath, resources } from "../../client/resources.ts";
import { WorkQueue } from "../../client/work-queue.ts";
import { isStatusError } from "../../machinery/status.ts";
import { isNamespaceTerminating } from "../common/pod-control.ts";
import type { Controller, ControllerContext, ControllerFactory } from "../context.ts";
import { desiredEndpoints, labelTopologyZone } from "./desired-endpoints.ts";
import { podEndpointState, selectorMatches, servicesSelectingPod } from "./endpoint-util.ts";
import {
  controllerName,
  type EndpointSlice,
  labelManagedBy,
  labelServiceName,
  type ReconcilePlan,
  reconcile,
} from "./reconciler.ts";
import { SliceTracker } from "./slice-tracker.ts";
import { TriggerTimeTracker } from "./trigger-time-tracker.ts";

type Node = NodeType & KubeObject;
type Pod = PodType & KubeObject;
type Service = ServiceType & KubeObject;

export class EndpointSliceController implements Controller {
  readonly name = "endpointslice-controller";
  readonly #ctx: ControllerContext;
  readonly #queue = new WorkQueue<string>();
  readonly #services: Informer<Service>;
  readonly #pods: Informer<Pod>;
  readonly #nodes: Informer<Node>;
  readonly #slices: Informer<EndpointSlice>;
  readonly #tracker = new SliceTracker();
  readonly #triggerTimes = new TriggerTimeTracker();

  constructor(ctx: ControllerContext) {
    this.#ctx = ctx;
    this.#services = ctx.informers.informer<Service>(resources.services);
    this.#pods = ctx.informers.informer<Pod>(resources.pods);
    this.#nodes = ctx.informers.informer<Node>(resources.nodes);
    this.#slices = ctx.informers.informer<EndpointSlice>(resources.endpointslices);
    const enqueue = (s: Service) => this.#queue.add(keyOf(s));
    this.#services.addHandlers({
      onAdd: enqueue,
      onUpdate: (_, s) => enqueue(s),
      onDelete: enqueue,
    });
    this.#pods.addHandlers({
      onAdd: (p) => this.#podChanged(p),
      onUpdate: (old, p) => {
        if (podEndpointState(old) !== podEndpointState(p)) this.#podChanged(old, p);
      },
      onDelete: (p) => this.#podChanged(p),
    });
    this.#slices.addHandlers({
      onAdd: (s) => this.#sliceChanged(s),
      onUpdate: (_, s) => this.#sliceChanged(s),
      onDelete: (s) => this.#sliceChanged(s, true),
    });
    const zone = (n: Node) => n.metadata?.labels?.[labelTopologyZone];
    const allServices = () => {
      for (const s of this.#services.list()) enqueue(s);
    };
    this.#nodes.addHandlers({
      onAdd: allServices,
      onUpdate: (old, n) => zone(old) !== zone(n) && allServices(),
      onDelete: allServices,
    });
  }

  #podChanged(...pods: Pod[]): void {
    const services = this.#services.list();
    for (const pod of pods) {
      for (const s of servicesSelectingPod(services, pod)) this.#queue.add(keyOf(s));
    }
  }

  #sliceChanged(slice: EndpointSlice, deleted = false): void {
    const labels = slice.metadata?.labels ?? {};
    const service = labels[labelServiceName];
    if (labels[labelManagedBy] !== controllerName || !service) return;
    const key = `${slice.metadata?.namespace}/${service}`;
    if (deleted) this.#tracker.observeDeleted(key, slice.metadata?.name ?? "");
    this.#queue.add(key);
  }

  async run(signal: AbortSignal): Promise<void> {
    await Promise.all([
      this.#services.synced(),
      this.#pods.synced(),
      this.#nodes.synced(),
      this.#slices.synced(),
    ]);
    await runWorkers({
      queue: this.#queue,
      workers: 4,
      sync: (key) => this.syncService(key),
      log: this.#ctx.log,
      signal,
    });
  }

  /** The slices this controller manages for a service, from the cache. */
  #managedSlices(namespace: string, name: string): EndpointSlice[] {
    return this.#slices.list(namespace).filter((s) => {
      const labels = s.metadata?.labels ?? {};
      return labels[labelServiceName] === name && labels[labelManagedBy] === controllerName;
    });
  }

  async syncService(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const service = this.#services.get(namespace, name);
    const existing = this.#managedSlices(namespace, name);
    if (!service) {
      // The garbage collector removes owned slices too; deleting them here does not wait for it.
      this.#triggerTimes.deleteService(namespace, name);
      this.#tracker.deleteService(key);
      return this.#apply(key, { create: [], update: [], delete: existing });
    }
    if (service.spec?.type === "ExternalName" || !service.spec?.selector) return;
    if (this.#tracker.stale(key, existing)) {
      // The event carrying our last write requeues the service; this is a backstop.
      this.#queue.addAfter(key, 1000);
      return;
    }
    const selector = service.spec.selector;
    const pods = this.#pods
      .list(namespace)
      .filter((p) => selectorMatches(selector, p.metadata?.labels));
    const desired = desiredEndpoints(service, pods, (n) => this.#nodes.get("", n));
    const triggerTime = this.#triggerTimes.compute(service, pods);
    const plan = reconcile({ service, desired, existing, triggerTime });
    await this.#apply(key, plan);
    if (desired.skippedPods.length > 0) {
      throw new Error(
        `skipping pods ${desired.skippedPods.join(", ")} for service ${key}: node not found`,
      );
    }
  }

  async #apply(key: string, plan: ReconcilePlan): Promise<void> {
    const client = this.#ctx.client;
    const path = (ns: string, n = "") => resourcePath(resources.endpointslices, ns, n);
    const ops: Promise<void>[] = [];
    for (const slice of plan.create) {
      const ns = slice.metadata?.namespace ?? "";
      ops.push(
        client.create<EndpointSlice>(path(ns), slice).then(
          (made) =>
            this.#tracker.expectWritten(
              key,
              made.metadata?.name ?? "",
              made.metadata?.resourceVersion,
            ),
          (err: unknown) => {
            if (!isNamespaceTerminating(err)) throw err;
          },
        ),
      );
    }
    for (const slice of plan.update) {
      const { namespace: ns = "", name = "" } = slice.metadata ?? {};
      ops.push(
        client
          .update<EndpointSlice>(path(ns, name), slice)
          .then((made) => this.#tracker.expectWritten(key, name, made.metadata?.resourceVersion)),
      );
    }
    for (const slice of plan.delete) {
      const { namespace: ns = "", name = "" } = slice.metadata ?? {};
      ops.push(
        client.delete(path(ns, name)).then(
          () => this.#tracker.expectDeleted(key, name),
          (err: unknown) => {
            if (!isStatusError(err, "NotFound")) throw err;
          },
        ),
      );
    }
    const results = await Promise.allSettled(ops);
    const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
    if (failed) throw failed.reason;
  }
}

export const endpointSliceControllerFactory: ControllerFactory = {
  name: "endpointslice-controller",
  eventSource: "endpoint-slice-controller",
  create: (ctx) => new EndpointSliceController(ctx),
};
