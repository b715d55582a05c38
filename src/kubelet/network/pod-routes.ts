/**
 * The node's host-gw routes, kept by its agent (as flannel's host-gw backend does): an informer
 * on Nodes wakes it, and each pass computes this node's routes to every other node's pod CIDRs
 * from the cache (level-triggered) and applies the difference in this network namespace. Passes
 * are coalesced; a failed pass retries after 2 s.
 */
import type { Node } from "../../api/generated/types.ts";
import { Informer } from "../../client/informer.ts";
import { resources } from "../../client/resources.ts";
import type { RestClient } from "../../client/rest-client.ts";
import type { Clock, Timer } from "../../machinery/clock.ts";
import type { RunCommand } from "../../machinery/exec.ts";
import type { Logger } from "../../machinery/log.ts";
import { hostGwRoutes, type RouteNode, syncHostGwRoutes } from "./host-gw.ts";

export interface PodRoutesOptions {
  /** This node: it routes to the others. */
  readonly nodeName: string;
  readonly run: RunCommand;
  readonly clock: Clock;
  readonly log: Logger;
}

/** A Node as host-gw sees it: its InternalIP and pod CIDRs (none without an InternalIP). */
export function routeNode(node: Node): RouteNode {
  return {
    name: node.metadata?.name ?? "",
    ip: node.status?.addresses?.find((a) => a.type === "InternalIP")?.address ?? "",
    podCIDRs: node.spec?.podCIDRs ?? (node.spec?.podCIDR ? [node.spec.podCIDR] : []),
  };
}

export class PodRoutes {
  readonly #o: PodRoutesOptions;
  #nodes: () => readonly Node[] = () => [];
  #timer: Timer | undefined;
  #running = false;
  #again = false;

  constructor(o: PodRoutesOptions) {
    this.#o = o;
  }

  /** Watches the cluster's Nodes through `client` until `signal` aborts. */
  async run(client: RestClient, signal: AbortSignal): Promise<void> {
    const informer = new Informer<Node>({ client, resource: resources.nodes, log: this.#o.log });
    this.#nodes = () => informer.list();
    const wake = () => this.trigger();
    informer.addHandlers({ onAdd: wake, onUpdate: wake, onDelete: wake });
    await informer.run(signal);
    this.#timer?.cancel();
    this.#timer = undefined;
  }

  /** Schedules a pass soon (coalescing bursts of Node updates). */
  trigger(delayMs = 100): void {
    if (this.#timer) return;
    this.#timer = this.#o.clock.after(delayMs, () => {
      this.#timer = undefined;
      void this.sync();
    });
  }

  /** One pass; returns the `ip` lines applied. */
  async sync(): Promise<string[]> {
    if (this.#running) {
      this.#again = true;
      return [];
    }
    this.#running = true;
    let failed = false;
    let lines: string[] = [];
    try {
      const desired = hostGwRoutes(this.#nodes().map(routeNode), this.#o.nodeName);
      lines = await syncHostGwRoutes(this.#o.run, desired);
      if (lines.length > 0) this.#o.log.info("pod routes synced", { changes: lines.length });
    } catch (err) {
      failed = true;
      this.#o.log.warn("pod route sync failed; retrying", { err });
    } finally {
      this.#running = false;
    }
    if (this.#again || failed) {
      this.#again = false;
      this.trigger(failed ? 2_000 : 0);
    }
    return lines;
  }

  /** For tests: the Nodes to route from. */
  setNodes(nodes: () => readonly Node[]): void {
    this.#nodes = nodes;
  }
}
