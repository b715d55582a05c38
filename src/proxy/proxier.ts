/**
 * The service proxy of one node: informers on Services, EndpointSlices and this node's Node
 * feed a `SyncRunner` (first sync as soon as the caches are loaded, then at most once per
 * `minSyncPeriodMs`, upstream's 1 s, or sooner after cheap syncs with `quickSync`); each sync renders the table from the caches, applies the
 * difference (`TableSync`), logs what it did, and then deletes stale UDP conntrack entries.
 * Every `syncPeriodMs` it checks that the table is still in the kernel and restores it if not.
 * Level-triggered: events only wake it; every sync starts from the whole cache.
 */
import type { EndpointSlice, Node, Service } from "../api/generated/types.ts";
import { Informer } from "../client/informer.ts";
import { resources } from "../client/resources.ts";
import type { RestClient } from "../client/rest-client.ts";
import { untilAborted } from "../machinery/abort.ts";
import { type Clock, realClock, type Timer } from "../machinery/clock.ts";
import { type Logger, silentLogger } from "../machinery/log.ts";
import { type NodeState, rulesetFromPorts } from "./build-ruleset.ts";
import { type Conntrack, staleUDPFilters, type UDPView, udpView } from "./conntrack.ts";
import type { NftRunner } from "./nft-runner.ts";
import { type IPFamily, rulesetStats } from "./ruleset.ts";
import { collectServicePorts, serviceProxyNameLabel } from "./service-ports.ts";
import { SyncRunner } from "./sync-runner.ts";
import { TableSync } from "./table-sync.ts";

export interface ProxierOptions {
  readonly client: RestClient;
  readonly nodeName: string;
  /** Addresses of this node, added to those its Node object reports. */
  readonly nodeIPs?: readonly string[];
  /**
   * The pod network: sources counted as pods (default: this node's `spec.podCIDRs`, upstream's
   * NodeCIDR mode), and when given, pod traffic leaving it is masqueraded (`NodeState`).
   */
  readonly clusterCIDRs?: readonly string[];
  /** Service CIDRs whose unallocated addresses are dropped (none by default). */
  readonly serviceCIDRs?: readonly string[];
  /** IP families to program (default `ip`: IPv4). */
  readonly families?: readonly IPFamily[];
  readonly table?: string;
  readonly nft: NftRunner;
  readonly conntrack?: Conntrack;
  readonly clock?: Clock;
  readonly log?: Logger;
  readonly minSyncPeriodMs?: number;
  /** Shorter holds after cheap syncs (`SyncRunner`'s `quick`); unset: always `minSyncPeriodMs`. */
  readonly quickSync?: { readonly floorMs: number; readonly busyFactor: number };
  /** CPU ms used so far, for quick holds by CPU rather than wall time (`SyncRunner`'s `cost`). */
  readonly syncCost?: () => number;
  readonly syncPeriodMs?: number;
  readonly fullSyncPeriodMs?: number;
}

/** Upstream kube-proxy's informer filter: other proxies' services and headless ones. */
const proxyLabelSelector = `!${serviceProxyNameLabel},!service.kubernetes.io/headless`;
const zoneLabel = "topology.kubernetes.io/zone";

export class Proxier {
  readonly #o: ProxierOptions;
  readonly #log: Logger;
  readonly #clock: Clock;
  readonly #services: Informer<Service>;
  readonly #slices: Informer<EndpointSlice>;
  readonly #nodes: Informer<Node>;
  readonly #tables = new Map<IPFamily, TableSync>();
  readonly #runner: SyncRunner;
  #udp = new Map<IPFamily, UDPView>();
  #syncs = 0;

  constructor(options: ProxierOptions) {
    this.#o = options;
    this.#clock = options.clock ?? realClock;
    this.#log = (options.log ?? silentLogger).with({ node: options.nodeName });
    const informer = <T extends object>(resource: typeof resources.services, extra = {}) =>
      new Informer<T>({ client: options.client, resource, log: this.#log, ...extra });
    this.#services = informer<Service>(resources.services, { labelSelector: proxyLabelSelector });
    this.#slices = informer<EndpointSlice>(resources.endpointslices, {
      labelSelector: proxyLabelSelector,
    });
    this.#nodes = informer<Node>(resources.nodes, {
      fieldSelector: `metadata.name=${options.nodeName}`,
    });
    for (const family of options.families ?? ["ip"]) {
      this.#tables.set(
        family,
        new TableSync({
          nft: options.nft,
          clock: this.#clock,
          ...(options.fullSyncPeriodMs ? { fullSyncPeriodMs: options.fullSyncPeriodMs } : {}),
        }),
      );
    }
    this.#runner = new SyncRunner({
      clock: this.#clock,
      minIntervalMs: options.minSyncPeriodMs ?? 1000,
      // Upstream's kube-proxy lets two syncs run back to back (burstSyncs).
      burst: 2,
      ...(options.syncCost ? { cost: options.syncCost } : {}),
      ...(options.quickSync ? { quick: options.quickSync } : {}),
      sync: () => this.sync(),
      onError: (err, retryMs) => this.#log.error("sync failed; will retry", { err, retryMs }),
    });
    const wake = () => {
      if (this.#services.hasSynced && this.#slices.hasSynced && this.#nodes.hasSynced) {
        this.#runner.request();
      }
    };
    for (const inf of [this.#services, this.#slices, this.#nodes] as Informer<object>[]) {
      inf.addHandlers({ onAdd: wake, onUpdate: wake, onDelete: wake });
    }
  }

  /** Number of syncs that changed the kernel's tables (tests wait on it). */
  get syncs(): number {
    return this.#syncs;
  }

  /** Runs until `signal` aborts; leaves the rules in place (a restart resumes from them). */
  async run(signal: AbortSignal): Promise<void> {
    const informers = [this.#services, this.#slices, this.#nodes].map((i) => i.run(signal));
    await Promise.race([
      Promise.all([this.#services.synced(), this.#slices.synced(), this.#nodes.synced()]),
      untilAborted(signal),
    ]);
    if (!signal.aborted) this.#runner.request();
    let check: Timer | undefined;
    const verify = () => {
      check = this.#clock.after(this.#o.syncPeriodMs ?? 30_000, async () => {
        for (const [family, table] of this.#tables) {
          if (!(await table.verify(family, this.#o.table ?? "bosun-proxy"))) {
            this.#log.warn("table missing from the kernel; restoring it", { family });
            this.#runner.request();
          }
        }
        if (!signal.aborted) verify();
      });
    };
    verify();
    await untilAborted(signal);
    check?.cancel();
    this.#runner.stop();
    await this.#runner.idle();
    await Promise.allSettled(informers);
  }

  nodeState(): NodeState {
    const node = this.#nodes.get("", this.#o.nodeName);
    const spec = node?.spec;
    const podCIDRs = this.#o.clusterCIDRs?.length
      ? this.#o.clusterCIDRs
      : spec?.podCIDRs?.length
        ? spec.podCIDRs
        : spec?.podCIDR
          ? [spec.podCIDR]
          : [];
    const addresses = (node?.status?.addresses ?? [])
      .filter((a) => a.type === "InternalIP" || a.type === "ExternalIP")
      .map((a) => a.address);
    const zone = node?.metadata?.labels?.[zoneLabel];
    return {
      name: this.#o.nodeName,
      podCIDRs,
      nodeIPs: [...new Set([...(this.#o.nodeIPs ?? []), ...addresses])],
      ...(zone ? { zone } : {}),
      ...(this.#o.serviceCIDRs ? { serviceCIDRs: this.#o.serviceCIDRs } : {}),
      ...(this.#o.clusterCIDRs?.length ? { clusterCIDRs: this.#o.clusterCIDRs } : {}),
    };
  }

  /** One sync of every family's table from the caches. */
  async sync(): Promise<void> {
    const start = performance.now();
    const services = this.#services.list();
    const slices = this.#slices.list();
    const node = this.nodeState();
    for (const [family, table] of this.#tables) {
      const ports = collectServicePorts(services, slices, family);
      const rs = rulesetFromPorts(ports, node, {
        family,
        ...(this.#o.table ? { table: this.#o.table } : {}),
      });
      const rendered = performance.now();
      const result = await table.apply(rs);
      const ms = Math.round(performance.now() - start);
      if (result.mode !== "none") {
        this.#syncs++;
        this.#log.info("synced rules", {
          family,
          mode: result.mode,
          servicePorts: ports.length,
          ...rulesetStats(rs),
          bytes: result.bytes,
          renderMs: Math.round(rendered - start),
          ms,
        });
      } else this.#log.debug("rules unchanged", { family, servicePorts: ports.length, ms });
      await this.#cleanConntrack(family, udpView(ports));
    }
  }

  async #cleanConntrack(family: IPFamily, now: UDPView): Promise<void> {
    const before = this.#udp.get(family);
    this.#udp.set(family, now);
    if (!before || !this.#o.conntrack) return;
    for (const args of staleUDPFilters(before, now)) {
      try {
        const deleted = await this.#o.conntrack.delete(args);
        if (deleted > 0) this.#log.info("deleted stale UDP conntrack entries", { args, deleted });
      } catch (err) {
        this.#log.warn("conntrack cleanup failed", { args, err });
      }
    }
  }
}
