/**
 * Keeps host-gw routes in every running node of a cluster in step with the cluster's Nodes:
 * an informer on Nodes wakes it, and each pass computes every node's routes from the cache
 * (level-triggered) and applies the difference. Passes are coalesced; a failed pass retries.
 */
import type { Node } from "../api/generated/types.ts";
import { Informer } from "../client/informer.ts";
import { resources } from "../client/resources.ts";
import type { RestClient } from "../client/rest-client.ts";
import type { Clock, Timer } from "../machinery/clock.ts";
import type { Logger } from "../machinery/log.ts";
import type { RunCommand } from "./exec.ts";
import { hostGwRoutes, type RouteNode, syncHostGwRoutes } from "./host-gw.ts";
import type { NodeSpec } from "./spec.ts";

export interface RouteSyncOptions {
  readonly nodes: readonly NodeSpec[];
  /** Whether a node's namespaces are up (routes cannot be added through a down eth0). */
  readonly isRunning: (node: string) => boolean;
  readonly run: RunCommand;
  readonly clock: Clock;
  readonly log: Logger;
}

/** A cluster Node as host-gw sees it: its InternalIP (else the LAN address) and pod CIDRs. */
export function routeNode(node: Node, specs: readonly NodeSpec[]): RouteNode | undefined {
  const name = node.metadata?.name ?? "";
  const spec = specs.find((s) => s.name === name);
  if (!spec) return undefined;
  const internal = node.status?.addresses?.find((a) => a.type === "InternalIP")?.address;
  const podCIDRs = node.spec?.podCIDRs ?? (node.spec?.podCIDR ? [node.spec.podCIDR] : []);
  return { name, ip: internal ?? spec.ip, podCIDRs };
}

export class RouteSync {
  readonly #o: RouteSyncOptions;
  #nodes: () => readonly Node[] = () => [];
  #timer: Timer | undefined;
  #running = false;
  #again = false;

  constructor(o: RouteSyncOptions) {
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
  }

  /** Schedules a pass soon (coalescing bursts of Node updates). */
  trigger(delayMs = 100): void {
    if (this.#timer) return;
    this.#timer = this.#o.clock.after(delayMs, () => {
      this.#timer = undefined;
      void this.sync();
    });
  }

  /** One pass over every running node; returns the `ip` lines applied per node. */
  async sync(): Promise<Map<string, string[]>> {
    const applied = new Map<string, string[]>();
    if (this.#running) {
      this.#again = true;
      return applied;
    }
    this.#running = true;
    let failed = false;
    try {
      const all = this.#nodes()
        .map((n) => routeNode(n, this.#o.nodes))
        .filter((n): n is RouteNode => n !== undefined);
      for (const node of this.#o.nodes) {
        if (!this.#o.isRunning(node.name)) continue;
        try {
          const lines = await syncHostGwRoutes(
            this.#o.run,
            node.netns,
            hostGwRoutes(all, node.name),
          );
          if (lines.length > 0) {
            applied.set(node.name, lines);
            this.#o.log.info("host-gw routes synced", { node: node.name, changes: lines.length });
          }
        } catch (err) {
          failed = true;
          this.#o.log.warn("host-gw route sync failed", { node: node.name, err });
        }
      }
    } finally {
      this.#running = false;
    }
    if (this.#again || failed) {
      this.#again = false;
      this.trigger(failed ? 2_000 : 0);
    }
    return applied;
  }

  /** For tests and callers without an informer: the Nodes to route from. */
  setNodes(nodes: () => readonly Node[]): void {
    this.#nodes = nodes;
  }
}
