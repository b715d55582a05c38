/**
 * The namespace controller (upstream `pkg/controller/namespace`): when a namespace is deleted,
 * removes everything in it through the API and then drops its `kubernetes` finalizer so the API
 * server can let it go. Passes that leave content behind are repeated after half the estimated
 * time (on the injected clock); failures are retried with back-off.
 */
import type { Namespace as NamespaceType } from "../../api/generated/types.ts";
import type { KubeObject } from "../../api/object.ts";
import { runWorkers } from "../../client/controller.ts";
import type { Informer } from "../../client/informer.ts";
import { resources } from "../../client/resources.ts";
import { WorkQueue } from "../../client/work-queue.ts";
import type { Controller, ControllerContext, ControllerFactory } from "../context.ts";
import { NamespacedResourcesDeleter } from "./namespaced-resources-deleter.ts";

type Namespace = NamespaceType & KubeObject;

export class NamespaceController implements Controller {
  readonly name = "namespace-controller";
  readonly #ctx: ControllerContext;
  readonly #queue = new WorkQueue<string>();
  readonly #namespaces: Informer<Namespace>;
  readonly #deleter: NamespacedResourcesDeleter;

  constructor(ctx: ControllerContext) {
    this.#ctx = ctx;
    this.#deleter = new NamespacedResourcesDeleter({ client: ctx.client, clock: ctx.clock });
    this.#namespaces = ctx.informers.informer<Namespace>(resources.namespaces);
    const enqueue = (ns: Namespace) => {
      if (ns.metadata?.deletionTimestamp) this.#queue.add(ns.metadata.name ?? "");
    };
    this.#namespaces.addHandlers({ onAdd: enqueue, onUpdate: (_, ns) => enqueue(ns) });
  }

  async run(signal: AbortSignal): Promise<void> {
    await this.#namespaces.synced();
    await runWorkers({
      queue: this.#queue,
      workers: 4,
      sync: (key) => this.syncNamespace(key),
      log: this.#ctx.log,
      signal,
    });
  }

  async syncNamespace(name: string): Promise<void> {
    const estimate = await this.#deleter.delete(name);
    if (estimate > 0) {
      const seconds = Math.floor(estimate / 2) + 1;
      this.#ctx.log.debug("content remains in namespace", { namespace: name, estimate });
      this.#ctx.clock.after(seconds * 1000, () => this.#queue.add(name));
    }
  }
}

export const namespaceControllerFactory: ControllerFactory = {
  name: "namespace-controller",
  create: (ctx) => new NamespaceController(ctx),
};
