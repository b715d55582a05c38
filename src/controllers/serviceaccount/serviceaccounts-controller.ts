/**
 * The ServiceAccounts controller (upstream `pkg/controller/serviceaccount`): every active
 * namespace has a `default` ServiceAccount; one that is deleted is created again. Handlers only
 * enqueue namespace names.
 */
import type {
  Namespace as NamespaceType,
  ServiceAccount as ServiceAccountType,
} from "../../api/generated/types.ts";
import type { KubeObject } from "../../api/object.ts";
import { runWorkers } from "../../client/controller.ts";
import type { Informer } from "../../client/informer.ts";
import { resourcePath, resources } from "../../client/resources.ts";
import { WorkQueue } from "../../client/work-queue.ts";
import { isStatusError } from "../../machinery/status.ts";
import { isNamespaceTerminating } from "../common/pod-control.ts";
import type { Controller, ControllerContext, ControllerFactory } from "../context.ts";

type Namespace = NamespaceType & KubeObject;
type ServiceAccount = ServiceAccountType & KubeObject;

/** The service accounts ensured in every namespace (`DefaultServiceAccountsControllerOptions`). */
export const serviceAccountsToEnsure = ["default"] as const;

export class ServiceAccountsController implements Controller {
  readonly name = "serviceaccount-controller";
  readonly #ctx: ControllerContext;
  readonly #queue = new WorkQueue<string>();
  readonly #namespaces: Informer<Namespace>;
  readonly #serviceAccounts: Informer<ServiceAccount>;

  constructor(ctx: ControllerContext) {
    this.#ctx = ctx;
    this.#namespaces = ctx.informers.informer<Namespace>(resources.namespaces);
    this.#serviceAccounts = ctx.informers.informer<ServiceAccount>(resources.serviceaccounts);
    const enqueue = (ns: Namespace) => this.#queue.add(ns.metadata?.name ?? "");
    this.#namespaces.addHandlers({ onAdd: enqueue, onUpdate: (_, ns) => enqueue(ns) });
    this.#serviceAccounts.addHandlers({
      onDelete: (sa) => {
        const name = sa.metadata?.name ?? "";
        if ((serviceAccountsToEnsure as readonly string[]).includes(name)) {
          this.#queue.add(sa.metadata?.namespace ?? "");
        }
      },
    });
  }

  async run(signal: AbortSignal): Promise<void> {
    await Promise.all([this.#namespaces.synced(), this.#serviceAccounts.synced()]);
    await runWorkers({
      queue: this.#queue,
      workers: 2,
      sync: (key) => this.syncNamespace(key),
      log: this.#ctx.log,
      signal,
    });
  }

  async syncNamespace(name: string): Promise<void> {
    const ns = this.#namespaces.get("", name);
    // Only active namespaces get service accounts (a terminating one refuses new content).
    if (!ns || ns.metadata?.deletionTimestamp || (ns.status?.phase ?? "Active") !== "Active") {
      return;
    }
    for (const saName of serviceAccountsToEnsure) {
      if (this.#serviceAccounts.get(name, saName)) continue;
      try {
        await this.#ctx.client.create(resourcePath(resources.serviceaccounts, name), {
          apiVersion: "v1",
          kind: "ServiceAccount",
          metadata: { name: saName, namespace: name },
        });
      } catch (err) {
        if (isStatusError(err, "AlreadyExists") || isNamespaceTerminating(err)) continue;
        throw err;
      }
    }
  }
}

export const serviceAccountsControllerFactory: ControllerFactory = {
  name: "serviceaccount-controller",
  create: (ctx) => new ServiceAccountsController(ctx),
};
