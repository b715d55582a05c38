/**
 * Publishes the nodes that serve cluster DNS behind the `kube-dns` Service (kube-system,
 * 10.96.0.10, selector-less): a node labelled `bosun.dev/cluster-dns=<port>` by its agent gets an
 * EndpointSlice `kube-dns-<node>` with its address, ports `dns` (UDP) and `dns-tcp` (TCP) on that
 * port, `ready` as the node's Ready condition, and the Node as owner (so the garbage collector
 * removes it with the node). The label gone, the slice goes. With the proxy preferring local
 * endpoints, pods reach the DNS server on their own node (ADR 14).
 */
import { createHash } from "node:crypto";
import type { EndpointSlice, Node } from "../../api/generated/types.ts";
import type { KubeObject } from "../../api/object.ts";
import { runWorkers } from "../../client/controller.ts";
import type { Informer } from "../../client/informer.ts";
import { resourcePath, resources } from "../../client/resources.ts";
import { WorkQueue } from "../../client/work-queue.ts";
import { isStatusError } from "../../machinery/status.ts";
import type { Controller, ControllerContext, ControllerFactory } from "../context.ts";

/** Set by the agent's DNS server (src/dns/cluster-dns.ts); the value is the port. */
export const clusterDnsNodeLabel = "bosun.dev/cluster-dns";
export const kubeDnsService = { namespace: "kube-system", name: "kube-dns" } as const;
export const managedBy = "cluster-dns-controller.bosun.dev";
const managedByLabel = "endpointslice.kubernetes.io/managed-by";

type SliceObj = EndpointSlice & KubeObject;
type NodeObj = Node & KubeObject;

/** `kube-dns-<node>`, hashed when the node's name would make it too long. */
export function sliceName(node: string): string {
  const name = `${kubeDnsService.name}-${node}`;
  if (name.length <= 253) return name;
  return `${kubeDnsService.name}-${createHash("sha256").update(node).digest("hex").slice(0, 16)}`;
}

function nodeAddress(node: Node): string | undefined {
  const addrs = node.status?.addresses ?? [];
  return (addrs.find((a) => a.type === "InternalIP") ?? addrs.find((a) => a.type === "ExternalIP"))
    ?.address;
}

/** The slice a node should have, or undefined when it offers no DNS. */
export function desiredSlice(node: Node): SliceObj | undefined {
  const port = Number(node.metadata?.labels?.[clusterDnsNodeLabel]);
  const address = nodeAddress(node);
  const name = node.metadata?.name;
  if (!name || !address || !Number.isInteger(port) || port < 1 || port > 65535) return undefined;
  const ready = (node.status?.conditions ?? []).some(
    (c) => c.type === "Ready" && c.status === "True",
  );
  return {
    apiVersion: "discovery.k8s.io/v1",
    kind: "EndpointSlice",
    metadata: {
      name: sliceName(name),
      namespace: kubeDnsService.namespace,
      labels: { "kubernetes.io/service-name": kubeDnsService.name, [managedByLabel]: managedBy },
      ownerReferences: [
        { apiVersion: "v1", kind: "Node", name, uid: node.metadata?.uid ?? "", controller: true },
      ],
    },
    addressType: address.includes(":") ? "IPv6" : "IPv4",
    endpoints: [
      {
        addresses: [address],
        conditions: { ready, serving: ready, terminating: false },
        nodeName: name,
      },
    ],
    ports: [
      { name: "dns", port, protocol: "UDP" },
      { name: "dns-tcp", port, protocol: "TCP" },
    ],
  };
}

const sameContent = (a: SliceObj, b: SliceObj) =>
  JSON.stringify([a.addressType, a.endpoints, a.ports, a.metadata?.labels]) ===
  JSON.stringify([b.addressType, b.endpoints, b.ports, b.metadata?.labels]);

export class KubeDnsEndpointsController implements Controller {
  readonly name = "kube-dns-endpoints-controller";
  readonly #ctx: ControllerContext;
  readonly #nodes: Informer<NodeObj>;
  readonly #slices: Informer<SliceObj>;
  readonly #queue = new WorkQueue<string>({ maxDelayMs: 60_000 });

  constructor(ctx: ControllerContext) {
    this.#ctx = ctx;
    this.#nodes = ctx.informers.informer<NodeObj>(resources.nodes);
    this.#slices = ctx.informers.informer<SliceObj>(resources.endpointslices);
    const byNode = (n: NodeObj) => n.metadata?.name && this.#queue.add(n.metadata.name);
    this.#nodes.addHandlers({
      onAdd: byNode,
      onUpdate: (old, n) => {
        if (desiredSlice(old) !== undefined || desiredSlice(n) !== undefined) byNode(n);
      },
      onDelete: byNode,
    });
    const bySlice = (s: SliceObj) => {
      const node = s.metadata?.labels?.[managedByLabel] === managedBy && s.endpoints?.[0]?.nodeName;
      if (node) this.#queue.add(node);
    };
    this.#slices.addHandlers({ onAdd: bySlice, onUpdate: (_, s) => bySlice(s), onDelete: bySlice });
  }

  async #sync(nodeName: string): Promise<void> {
    const node = this.#nodes.get("", nodeName);
    const want = node && !node.metadata?.deletionTimestamp ? desiredSlice(node) : undefined;
    const name = sliceName(nodeName);
    const have = this.#slices.get(kubeDnsService.namespace, name);
    const path = resourcePath(resources.endpointslices, kubeDnsService.namespace, name);
    const client = this.#ctx.client;
    if (!want) {
      if (have?.metadata?.labels?.[managedByLabel] !== managedBy) return;
      await client.delete(path).catch((err: unknown) => {
        if (!isStatusError(err, "NotFound")) throw err;
      });
      return;
    }
    try {
      if (!have) {
        await client.create(resourcePath(resources.endpointslices, kubeDnsService.namespace), want);
        this.#ctx.log.info("kube-dns endpoint added", { node: nodeName });
      } else if (!sameContent(have, want)) {
        want.metadata!.resourceVersion = have.metadata?.resourceVersion ?? "";
        await client.update(path, want);
      }
    } catch (err) {
      // The informer will bring the slice that is already there (or the newer version our copy
      // conflicted with), and its event a new look.
      if (isStatusError(err, "AlreadyExists") || isStatusError(err, "Conflict")) return;
      throw err;
    }
  }

  async run(signal: AbortSignal): Promise<void> {
    await Promise.all([this.#nodes.synced(), this.#slices.synced()]);
    await runWorkers({
      queue: this.#queue,
      workers: 2,
      sync: (key) => this.#sync(key),
      log: this.#ctx.log,
      signal,
    });
  }
}

export const kubeDnsEndpointsControllerFactory: ControllerFactory = {
  name: "kube-dns-endpoints-controller",
  create: (ctx) => new KubeDnsEndpointsController(ctx),
};
