/**
 * The node IPAM controller with upstream's `RangeAllocator`: every Node gets `spec.podCIDR` and
 * `spec.podCIDRs`, one subnet per cluster CIDR (a /nodeCIDRMaskSize for IPv4, /64 for IPv6),
 * never the same subnet twice. The allocation map is rebuilt from the nodes' CIDRs before any
 * allocation, and a deleted node's subnets are released.
 */
import type { Node as NodeType } from "../../api/generated/types.ts";
import type { KubeObject } from "../../api/object.ts";
import { runWorkers } from "../../client/controller.ts";
import { type Informer, keyOf } from "../../client/informer.ts";
import { resourcePath, resources } from "../../client/resources.ts";
import { WorkQueue } from "../../client/work-queue.ts";
import { isStatusError } from "../../machinery/status.ts";
import type { Controller, ControllerContext, ControllerFactory } from "../context.ts";
import { CidrSet } from "./cidr-set.ts";

type Node = NodeType & KubeObject;

/** The subnet prefix for IPv6 cluster CIDRs (upstream `--node-cidr-mask-size-ipv6` default). */
const ipv6MaskSize = 64;

const podCIDRsOf = (node: Node): string[] =>
  node.spec?.podCIDRs?.length ? node.spec.podCIDRs : node.spec?.podCIDR ? [node.spec.podCIDR] : [];

export class NodeIpamController implements Controller {
  readonly name = "node-ipam-controller";
  readonly #ctx: ControllerContext;
  readonly #queue = new WorkQueue<string>();
  readonly #nodes: Informer<Node>;
  readonly #sets: CidrSet[];
  /** Node name → the CIDRs recorded for it (occupied or allocated by us). */
  readonly #byNode = new Map<string, string[]>();

  constructor(ctx: ControllerContext) {
    this.#ctx = ctx;
    this.#sets = ctx.settings.clusterCIDR
      .split(",")
      .map((c) => c.trim())
      .filter(Boolean)
      .map((c) => new CidrSet(c, c.includes(":") ? ipv6MaskSize : ctx.settings.nodeCIDRMaskSize));
    this.#nodes = ctx.informers.informer<Node>(resources.nodes);
    const enqueue = (n: Node) => this.#queue.add(keyOf(n));
    this.#nodes.addHandlers({ onAdd: enqueue, onUpdate: (_, n) => enqueue(n), onDelete: enqueue });
  }

  async run(signal: AbortSignal): Promise<void> {
    await this.#nodes.synced();
    // Rebuild the allocation map from what nodes already hold before handing anything out.
    for (const node of this.#nodes.list()) this.#occupy(node);
    await runWorkers({
      queue: this.#queue,
      workers: 1,
      sync: (key) => this.syncNode(key),
      log: this.#ctx.log,
      signal,
    });
  }

  /** Marks the CIDR used in the set it belongs to. */
  #setFor(cidr: string): CidrSet | undefined {
    return this.#sets.find((s) => s.occupy(cidr));
  }

  #occupy(node: Node): void {
    const name = node.metadata?.name ?? "";
    const cidrs = podCIDRsOf(node);
    if (cidrs.length === 0) return;
    for (const cidr of cidrs) {
      if (!this.#setFor(cidr)) {
        this.#ctx.log.warn("node CIDR outside the cluster CIDR", { node: name, cidr });
      }
    }
    const previous = this.#byNode.get(name);
    for (const cidr of previous ?? []) {
      if (!cidrs.includes(cidr)) this.#release(cidr);
    }
    this.#byNode.set(name, cidrs);
  }

  #release(cidr: string): void {
    for (const set of this.#sets) if (set.release(cidr)) return;
  }

  async syncNode(name: string): Promise<void> {
    const node = this.#nodes.get("", name);
    if (!node) {
      for (const cidr of this.#byNode.get(name) ?? []) this.#release(cidr);
      this.#byNode.delete(name);
      return;
    }
    if (podCIDRsOf(node).length > 0) return this.#occupy(node);
    let cidrs = this.#byNode.get(name);
    if (!cidrs) {
      try {
        cidrs = this.#sets.map((s) => s.allocateNext());
      } catch (err) {
        this.#ctx.recorder.event(
          node,
          "Normal",
          "CIDRNotAvailable",
          `Node ${name} status is now: CIDRNotAvailable`,
        );
        throw err;
      }
      // Recorded before the write: a retry reuses these rather than taking new ones.
      this.#byNode.set(name, cidrs);
    }
    await this.#patchNodeCIDRs(node, cidrs);
  }

  async #patchNodeCIDRs(node: Node, cidrs: string[]): Promise<void> {
    const name = node.metadata?.name ?? "";
    try {
      await this.#ctx.client.patch(resourcePath(resources.nodes, "", name), "strategic", {
        metadata: { uid: node.metadata?.uid },
        spec: { podCIDR: cidrs[0], podCIDRs: cidrs },
      });
      this.#ctx.log.info("set node pod CIDR", { node: name, podCIDRs: cidrs });
    } catch (err) {
      if (isStatusError(err, "NotFound")) return; // Deleted meanwhile: its delete releases them.
      this.#ctx.recorder.event(
        node,
        "Normal",
        "CIDRAssignmentFailed",
        `Node ${name} status is now: CIDRAssignmentFailed`,
      );
      throw err;
    }
  }
}

export const nodeIpamControllerFactory: ControllerFactory = {
  name: "node-ipam-controller",
  eventSource: "cidrAllocator",
  create: (ctx) => new NodeIpamController(ctx),
};
