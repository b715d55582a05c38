/**
 * Writes `status.loadBalancer.ingress` of every Ingress the built-in controller serves (class
 * `bosun`, or no class while `bosun` is the default): the addresses of the Ready nodes labelled
 * `bosun.dev/ingress=true` by their agents, sorted, as k3s's service load balancer publishes every
 * node. One writer in the controller manager, so the agents need no right to write Ingresses.
 */
import type { Ingress, IngressClass, Node } from "../../api/generated/types.ts";
import type { KubeObject } from "../../api/object.ts";
import { runWorkers } from "../../client/controller.ts";
import { type Informer, keyOf, splitKey } from "../../client/informer.ts";
import { type GroupVersionResource, resourcePath, resources } from "../../client/resources.ts";
import { WorkQueue } from "../../client/work-queue.ts";
import { isStatusError } from "../../machinery/status.ts";
import type { Controller, ControllerContext, ControllerFactory } from "../context.ts";

/** Set by the agent's ingress controller (src/ingress/ingress-class.ts). */
export const ingressNodeLabel = "bosun.dev/ingress";
const controllerName = "bosun.dev/ingress";
const defaultClassAnnotation = "ingressclass.kubernetes.io/is-default-class";

const ingresses: GroupVersionResource = {
  group: "networking.k8s.io",
  version: "v1",
  resource: "ingresses",
  namespaced: true,
};
const ingressClasses: GroupVersionResource = {
  group: "networking.k8s.io",
  version: "v1",
  resource: "ingressclasses",
  namespaced: false,
};

type IngressObj = Ingress & KubeObject;

/** Sorted addresses of the Ready ingress nodes (InternalIP, else ExternalIP). */
export function ingressAddresses(nodes: readonly Node[]): string[] {
  const out = new Set<string>();
  for (const n of nodes) {
    if (n.metadata?.labels?.[ingressNodeLabel] !== "true") continue;
    if (!(n.status?.conditions ?? []).some((c) => c.type === "Ready" && c.status === "True"))
      continue;
    const addrs = n.status?.addresses ?? [];
    const a =
      addrs.find((x) => x.type === "InternalIP") ?? addrs.find((x) => x.type === "ExternalIP");
    if (a?.address) out.add(a.address);
  }
  return [...out].sort();
}

export function servedBy(ing: Ingress, classes: readonly IngressClass[]): boolean {
  const ours = classes.filter((c) => c.spec?.controller === controllerName);
  const name =
    ing.spec?.ingressClassName ?? ing.metadata?.annotations?.["kubernetes.io/ingress.class"];
  if (!name) return ours.some((c) => c.metadata?.annotations?.[defaultClassAnnotation] === "true");
  return ours.some((c) => c.metadata?.name === name);
}

export class IngressStatusController implements Controller {
  readonly name = "ingress-status-controller";
  readonly #ctx: ControllerContext;
  readonly #ingresses: Informer<IngressObj>;
  readonly #classes: Informer<IngressClass & KubeObject>;
  readonly #nodes: Informer<Node & KubeObject>;
  readonly #queue = new WorkQueue<string>({ maxDelayMs: 60_000 });
  #addresses: string[] = [];

  constructor(ctx: ControllerContext) {
    this.#ctx = ctx;
    this.#ingresses = ctx.informers.informer<IngressObj>(ingresses);
    this.#classes = ctx.informers.informer(ingressClasses);
    this.#nodes = ctx.informers.informer(resources.nodes);
    const one = (i: IngressObj) => this.#queue.add(keyOf(i));
    this.#ingresses.addHandlers({ onAdd: one, onUpdate: (_, i) => one(i) });
    const all = () => {
      for (const i of this.#ingresses.list()) one(i);
    };
    this.#classes.addHandlers({ onAdd: all, onUpdate: all, onDelete: all });
    const nodesChanged = () => {
      const next = ingressAddresses(this.#nodes.list());
      if (next.join(",") === this.#addresses.join(",")) return;
      this.#addresses = next;
      all();
    };
    this.#nodes.addHandlers({
      onAdd: nodesChanged,
      onUpdate: nodesChanged,
      onDelete: nodesChanged,
    });
  }

  async #sync(key: string): Promise<void> {
    const ing = this.#ingresses.getByKey(key);
    if (!ing || !servedBy(ing, this.#classes.list())) return;
    const want = this.#addresses.map((ip) => ({ ip }));
    const have = ing.status?.loadBalancer?.ingress ?? [];
    if (JSON.stringify(have) === JSON.stringify(want)) return;
    const { namespace, name } = splitKey(key);
    const next: IngressObj = {
      ...ing,
      status: { loadBalancer: want.length > 0 ? { ingress: want } : {} },
    };
    try {
      await this.#ctx.client.update(resourcePath(ingresses, namespace, name, "status"), next);
    } catch (err) {
      if (isStatusError(err, "NotFound")) return;
      throw err;
    }
  }

  async run(signal: AbortSignal): Promise<void> {
    await Promise.all([this.#ingresses.synced(), this.#classes.synced(), this.#nodes.synced()]);
    this.#addresses = ingressAddresses(this.#nodes.list());
    for (const i of this.#ingresses.list()) this.#queue.add(keyOf(i));
    await runWorkers({
      queue: this.#queue,
      workers: 2,
      sync: (k) => this.#sync(k),
      log: this.#ctx.log,
      signal,
    });
  }
}

export const ingressStatusControllerFactory: ControllerFactory = {
  name: "ingress-status-controller",
  create: (ctx) => new IngressStatusController(ctx),
};
