/**
 * The Endpoints controller (upstream `pkg/controller/endpoint`): for every Service with a
 * selector, an Endpoints object of the same name listing the selected pods' addresses and the
 * ports they serve; deleted again when the Service goes. Handlers only enqueue service keys;
 * `syncService` is level-triggered and writes only when the content differs.
 */
import { isDeepStrictEqual } from "node:util";
import type {
  Endpoints as EndpointsType,
  Pod as PodType,
  Service as ServiceType,
} from "../../api/generated/types.ts";
import type { KubeObject } from "../../api/object.ts";
import { runWorkers, StaleCacheError } from "../../client/controller.ts";
import { type Informer, keyOf, splitKey } from "../../client/informer.ts";
import { resourcePath, resources } from "../../client/resources.ts";
import { WorkQueue } from "../../client/work-queue.ts";
import { isStatusError } from "../../machinery/status.ts";
import { formatTime } from "../../machinery/time.ts";
import { isNamespaceTerminating } from "../common/pod-control.ts";
import { ReplacedVersions } from "../common/replaced-versions.ts";
import type { Controller, ControllerContext, ControllerFactory } from "../context.ts";
import {
  endpointsLastChangeTriggerTime,
  isHeadlessServiceLabel,
  isServiceIPSet,
  podEndpointState,
  selectorMatches,
  servicesSelectingPod,
} from "../endpointslice/endpoint-util.ts";
import { TriggerTimeTracker } from "../endpointslice/trigger-time-tracker.ts";
import { computeSubsets, truncateSubsets } from "./endpoint-subsets.ts";

/** `LabelManagedBy` / `ControllerName`: marks Endpoints this controller owns. */
export const labelManagedBy = "endpoints.kubernetes.io/managed-by";
export const controllerName = "endpoint-controller";
/** `v1.EndpointsOverCapacity`. */
export const endpointsOverCapacity = "endpoints.kubernetes.io/over-capacity";
/** Leader-election records kept in Endpoints; never cleaned up as leftovers. */
const leaderElectionAnnotation = "control-plane.alpha.kubernetes.io/leader";

type Endpoints = EndpointsType & KubeObject;
type Pod = PodType & KubeObject;
type Service = ServiceType & KubeObject;

export class EndpointsController implements Controller {
  readonly name = "endpoints-controller";
  readonly #ctx: ControllerContext;
  readonly #queue = new WorkQueue<string>();
  readonly #services: Informer<Service>;
  readonly #pods: Informer<Pod>;
  readonly #endpoints: Informer<Endpoints>;
  readonly #triggerTimes = new TriggerTimeTracker();
  /** The Endpoints versions this controller's updates replaced, by service key. */
  readonly #replaced = new ReplacedVersions();

  constructor(ctx: ControllerContext) {
    this.#ctx = ctx;
    this.#services = ctx.informers.informer<Service>(resources.services);
    this.#pods = ctx.informers.informer<Pod>(resources.pods);
    this.#endpoints = ctx.informers.informer<Endpoints>(resources.endpoints);
    const enqueue = (obj: Service | Endpoints) => this.#queue.add(keyOf(obj));
    this.#services.addHandlers({
      onAdd: enqueue,
      onUpdate: (_, s) => enqueue(s),
      onDelete: enqueue,
    });
    this.#endpoints.addHandlers({ onDelete: enqueue });
    const podChanged = (...pods: Pod[]) => {
      const services = this.#services.list();
      for (const pod of pods) for (const s of servicesSelectingPod(services, pod)) enqueue(s);
    };
    this.#pods.addHandlers({
      onAdd: (p) => podChanged(p),
      onUpdate: (old, p) => {
        if (podEndpointState(old) !== podEndpointState(p)) podChanged(old, p);
      },
      onDelete: (p) => podChanged(p),
    });
  }

  async run(signal: AbortSignal): Promise<void> {
    await Promise.all([this.#services.synced(), this.#pods.synced(), this.#endpoints.synced()]);
    this.#checkLeftoverEndpoints();
    await runWorkers({
      queue: this.#queue,
      workers: 4,
      sync: (key) => this.syncService(key),
      log: this.#ctx.log,
      signal,
    });
  }

  /** Endpoints we manage whose service vanished while we were not watching. */
  #checkLeftoverEndpoints(): void {
    for (const ep of this.#endpoints.list()) {
      if (ep.metadata?.annotations?.[leaderElectionAnnotation] !== undefined) continue;
      if (ep.metadata?.labels?.[labelManagedBy] === controllerName) this.#queue.add(keyOf(ep));
    }
  }

  async syncService(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const service = this.#services.get(namespace, name);
    if (!service) return this.#deleteEndpoints(namespace, name);
    if (service.spec?.type === "ExternalName" || service.spec?.selector === undefined) return;
    const selector = service.spec.selector;
    const pods = this.#pods
      .list(namespace)
      .filter((p) => selectorMatches(selector, p.metadata?.labels));
    const triggerTime = this.#triggerTimes.compute(service, pods);
    const { subsets } = computeSubsets(service, pods);
    const truncated = truncateSubsets(subsets);
    const current = this.#endpoints.get(namespace, name);
    const version = current?.metadata?.resourceVersion;
    if (this.#replaced.isStale(key, version)) {
      throw new StaleCacheError(
        `endpoints informer cache is out of date, resource version ${version} already processed for endpoints ${key}`,
      );
    }
    const labels: Record<string, string> = {
      ...service.metadata?.labels,
      [labelManagedBy]: controllerName,
    };
    if (isServiceIPSet(service)) delete labels[isHeadlessServiceLabel];
    else labels[isHeadlessServiceLabel] = "";
    if (
      current &&
      isDeepStrictEqual(current.subsets ?? [], subsets) &&
      isDeepStrictEqual(current.metadata?.labels ?? {}, labels) &&
      (current.metadata?.annotations?.[endpointsOverCapacity] !== undefined) === truncated
    ) {
      return;
    }
    const next: Endpoints = structuredClone(current) ?? {
      apiVersion: "v1",
      kind: "Endpoints",
      metadata: { name, namespace },
    };
    const meta = { ...next.metadata, labels };
    next.metadata = meta;
    const annotations = { ...meta.annotations };
    if (triggerTime !== undefined) {
      annotations[endpointsLastChangeTriggerTime] = formatTime(triggerTime);
    } else delete annotations[endpointsLastChangeTriggerTime];
    if (truncated) annotations[endpointsOverCapacity] = "truncated";
    else delete annotations[endpointsOverCapacity];
    meta.annotations = annotations;
    next.subsets = subsets;
    const written = await this.#write(next, current === undefined);
    // Some updates change nothing and keep the version (upstream issues 126578, 127370).
    this.#replaced.replaced(key, version, written?.metadata?.resourceVersion);
  }

  async #write(endpoints: Endpoints, create: boolean): Promise<Endpoints | undefined> {
    const { namespace = "", name = "" } = endpoints.metadata ?? {};
    try {
      if (create) {
        return await this.#ctx.client.create<Endpoints>(
          resourcePath(resources.endpoints, namespace),
          endpoints,
        );
      }
      return await this.#ctx.client.update<Endpoints>(
        resourcePath(resources.endpoints, namespace, name),
        endpoints,
      );
    } catch (err) {
      // Creates keep failing in a terminating namespace; drop the key.
      if (create && isNamespaceTerminating(err)) return;
      const message = err instanceof Error ? err.message : String(err);
      if (create) {
        this.#ctx.recorder.event(
          endpoints,
          "Warning",
          "FailedToCreateEndpoint",
          `Failed to create endpoint for service ${namespace}/${name}: ${message}`,
        );
      } else {
        this.#ctx.recorder.event(
          endpoints,
          "Warning",
          "FailedToUpdateEndpoint",
          `Failed to update endpoint ${namespace}/${name}: ${message}`,
        );
      }
      throw err;
    }
  }

  async #deleteEndpoints(namespace: string, name: string): Promise<void> {
    this.#triggerTimes.deleteService(namespace, name);
    this.#replaced.delete(`${namespace}/${name}`);
    const current = this.#endpoints.get(namespace, name);
    if (current?.metadata?.labels?.[labelManagedBy] !== controllerName) return;
    try {
      await this.#ctx.client.delete(resourcePath(resources.endpoints, namespace, name), {
        preconditions: { uid: current.metadata.uid },
      });
    } catch (err) {
      if (!isStatusError(err, "NotFound") && !isStatusError(err, "Conflict")) throw err;
    }
  }
}

export const endpointsControllerFactory: ControllerFactory = {
  name: "endpoints-controller",
  eventSource: "endpoint-controller",
  create: (ctx) => new EndpointsController(ctx),
};
