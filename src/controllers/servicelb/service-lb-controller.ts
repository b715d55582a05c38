/**
 * ServiceLB, as k3s's built-in load balancer publishes it: every `type: LoadBalancer` Service
 * without a `loadBalancerClass` gets the addresses of the nodes that answer for it in
 * `status.loadBalancer.ingress`. The node proxies answer on those addresses (the IPs are in
 * each node's service map), so no per-service pods are needed as in k3s.
 *
 * Nodes that answer: Ready, not being deleted, without upstream's
 * `node.kubernetes.io/exclude-from-external-load-balancers` label; when any node carries
 * `svccontroller.bosun.dev/enablelb`, only those set to "true" (k3s's node pools). With
 * externalTrafficPolicy Local, only nodes with a ready endpoint of the service. Addresses are
 * the nodes' ExternalIPs when any node has one, else their InternalIPs, in the service's IP
 * family order, sorted (k3s). Events as k3s: `UpdatedLoadBalancer`, `UnAvailableLoadBalancer`.
 */
import type {
  EndpointSlice,
  LoadBalancerIngress,
  Node,
  Service,
} from "../../api/generated/types.ts";
import { runWorkers } from "../../client/controller.ts";
import { type Informer, keyOf, splitKey } from "../../client/informer.ts";
import { resourcePath, resources } from "../../client/resources.ts";
import { WorkQueue } from "../../client/work-queue.ts";
import { isStatusError } from "../../machinery/status.ts";
import type { Controller, ControllerContext, ControllerFactory } from "../context.ts";
import { desiredIngress, sameIngress } from "./desired-ingress.ts";

export class ServiceLBController implements Controller {
  readonly name = "service-lb-controller";
  readonly #ctx: ControllerContext;
  readonly #queue = new WorkQueue<string>();
  readonly #services: Informer<Service>;
  readonly #nodes: Informer<Node>;
  readonly #slices: Informer<EndpointSlice>;

  constructor(ctx: ControllerContext) {
    this.#ctx = ctx;
    this.#services = ctx.informers.informer<Service>(resources.services);
    this.#nodes = ctx.informers.informer<Node>(resources.nodes);
    this.#slices = ctx.informers.informer<EndpointSlice>(resources.endpointslices);
    const onService = (svc: Service) => {
      if (svc.spec?.type === "LoadBalancer") this.#queue.add(keyOf(svc));
    };
    this.#services.addHandlers({ onAdd: onService, onUpdate: (_, s) => onService(s) });
    const allLBs = () => {
      for (const svc of this.#services.list()) onService(svc);
    };
    this.#nodes.addHandlers({
      onAdd: allLBs,
      onUpdate: (old, node) => {
        if (nodeFacts(old) !== nodeFacts(node)) allLBs();
      },
      onDelete: allLBs,
    });
    const onSlice = (slice: EndpointSlice) => {
      const name = slice.metadata?.labels?.["kubernetes.io/service-name"];
      const svc = name ? this.#services.get(slice.metadata?.namespace ?? "", name) : undefined;
      if (svc?.spec?.externalTrafficPolicy === "Local") onService(svc);
    };
    this.#slices.addHandlers({
      onAdd: onSlice,
      onUpdate: (_, s) => onSlice(s),
      onDelete: onSlice,
    });
  }

  async run(signal: AbortSignal): Promise<void> {
    await Promise.all([this.#services.synced(), this.#nodes.synced(), this.#slices.synced()]);
    await runWorkers({
      queue: this.#queue,
      workers: 2,
      sync: (key) => this.syncService(key),
      log: this.#ctx.log,
      signal,
    });
  }

  async syncService(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const svc = this.#services.get(namespace, name);
    if (svc?.spec?.type !== "LoadBalancer" || svc.spec.loadBalancerClass) return;
    const slices = this.#slices
      .list(namespace)
      .filter((s) => s.metadata?.labels?.["kubernetes.io/service-name"] === name);
    const want = desiredIngress(svc, this.#nodes.list(), slices);
    const have = svc.status?.loadBalancer?.ingress ?? [];
    if (sameIngress(have, want)) return;
    try {
      await this.#ctx.client.patch(
        resourcePath(resources.services, namespace, name, "status"),
        "merge",
        {
          metadata: { resourceVersion: svc.metadata?.resourceVersion },
          status: { loadBalancer: { ingress: want } },
        },
      );
    } catch (err) {
      if (isStatusError(err, "NotFound")) return;
      throw err;
    }
    this.#ctx.log.info("updated load balancer addresses", { service: key, ingress: ips(want) });
    if (want.length === 0) {
      this.#ctx.recorder.event(
        svc,
        "Warning",
        "UnAvailableLoadBalancer",
        "There are no available nodes for LoadBalancer",
      );
    } else {
      this.#ctx.recorder.event(
        svc,
        "Normal",
        "UpdatedLoadBalancer",
        `Updated LoadBalancer with new IPs: [${ips(have).join(" ")}] -> [${ips(want).join(" ")}]`,
      );
    }
  }
}

const ips = (ingress: readonly LoadBalancerIngress[]) => ingress.map((i) => i.ip ?? i.hostname);

/** What of a node decides whether and how it serves load balancers. */
function nodeFacts(node: Node): string {
  return JSON.stringify([
    node.metadata?.labels,
    node.metadata?.deletionTimestamp,
    node.status?.addresses,
    node.status?.conditions?.find((c) => c.type === "Ready")?.status,
  ]);
}

export const serviceLBControllerFactory: ControllerFactory = {
  name: "service-lb-controller",
  create: (ctx) => new ServiceLBController(ctx),
};
