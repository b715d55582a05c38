/**
 * The `kubernetes` Service's Endpoints and EndpointSlice in `default`, listing every live API
 * server, as upstream's lease endpoint reconciler (`--endpoint-reconciler-type=lease`,
 * pkg/controlplane/reconcilers/lease.go) keeps them: each API server holds a master lease for
 * its advertise address — the key `/registry/masterleases/<ip>` attached to a Store lease with a
 * 15 s TTL, renewed every 10 s — and rewrites the Endpoints from the live set of leases when they
 * differ. A server that stops cleanly removes its lease and itself at once; one that dies drops
 * out when its lease expires. Loopback addresses are never written (upstream's validation
 * rejects them in Endpoints), so a server advertising 127.0.0.1 keeps no lease.
 */
import type { KubeObject } from "../api/object.ts";
import type { Clock, Timer } from "../machinery/clock.ts";
import type { Logger } from "../machinery/log.ts";
import { isStatusError } from "../machinery/status.ts";
import { isStoreError } from "../storage/errors.ts";
import type { Store } from "../storage/store.ts";
import { apiserverUser } from "./authn/user.ts";
import type { Catalog } from "./catalog.ts";

export const masterLeasePrefix = "/registry/masterleases/";
/** Upstream's `--endpoint-reconciler` lease TTL and `EndpointReconcilerInterval`. */
export const masterLeaseTtlSeconds = 15;
export const endpointReconcilerIntervalMs = 10_000;

const serviceName = "kubernetes";
const serviceNamespace = "default";
const skipMirrorLabel = "endpointslice.kubernetes.io/skip-mirror";
const serviceNameLabel = "kubernetes.io/service-name";

export interface EndpointReconcilerOptions {
  /** The raw store: master leases are not API objects. */
  readonly store: Store;
  readonly catalog: Catalog;
  readonly clock: Clock;
  readonly log: Logger;
  /** This server's advertise address and port. */
  readonly ip: string;
  readonly port: number;
  readonly ttlSeconds?: number;
  readonly intervalMs?: number;
}

export const isLoopback = (ip: string): boolean => /^127\./.test(ip) || ip === "::1";

function ignoreNotFound(err: unknown): undefined {
  if (isStatusError(err, "NotFound")) return undefined;
  throw err;
}

const ctx = () => ({ user: apiserverUser, dryRun: false, warnings: [] as string[] });

/** Addresses in upstream's order: IPv4 numerically, then the rest as text. */
function sortAddresses(ips: Iterable<string>): string[] {
  const key = (ip: string) =>
    /^\d+\.\d+\.\d+\.\d+$/.test(ip)
      ? ip
          .split(".")
          .map((p) => p.padStart(3, "0"))
          .join(".")
      : `~${ip}`;
  return [...new Set(ips)].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

export class LeaseEndpointReconciler {
  readonly #o: EndpointReconcilerOptions;
  #lease = 0;
  #timer: Timer | undefined;
  #stopped = false;

  constructor(options: EndpointReconcilerOptions) {
    this.#o = options;
  }

  get #key(): string {
    return `${masterLeasePrefix}${this.#o.ip}`;
  }

  /** Renews this server's lease (granting a new one when it expired), then rewrites. */
  async reconcile(): Promise<string[]> {
    if (!isLoopback(this.#o.ip)) await this.#updateLease();
    return this.#rewrite();
  }

  /** The live API server addresses, from the unexpired leases. */
  async liveAddresses(): Promise<string[]> {
    const { items } = await this.#o.store.list(masterLeasePrefix);
    return sortAddresses(items.map((kv) => kv.key.slice(masterLeasePrefix.length)));
  }

  /** Reconciles now and every interval until `stop`. */
  start(): Promise<void> {
    const tick = async () => {
      if (this.#stopped) return;
      try {
        await this.reconcile();
      } catch (err) {
        this.#o.log.warn("cannot reconcile the kubernetes Endpoints", { err });
      }
      if (!this.#stopped) {
        this.#timer = this.#o.clock.after(
          this.#o.intervalMs ?? endpointReconcilerIntervalMs,
          () => {
            void tick();
          },
        );
      }
    };
    return tick();
  }

  /** Removes this server's lease and itself from the Endpoints (a clean shutdown). */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#timer?.cancel();
    if (isLoopback(this.#o.ip)) return;
    try {
      await this.#o.store.delete(this.#key).catch((err: unknown) => {
        if (!isStoreError(err, "NotFound")) throw err;
      });
      if (this.#lease) await this.#o.store.revokeLease(this.#lease).catch(() => {});
      await this.#rewrite();
    } catch (err) {
      this.#o.log.warn("cannot remove this server from the kubernetes Endpoints", { err });
    }
  }

  async #updateLease(): Promise<void> {
    const { store } = this.#o;
    if (this.#lease) {
      try {
        await store.keepAliveLease(this.#lease);
        await store.get(this.#key);
        return;
      } catch (err) {
        if (!isStoreError(err, "NotFound")) throw err;
      }
    }
    this.#lease = await store.grantLease(this.#o.ttlSeconds ?? masterLeaseTtlSeconds);
    const value = new TextEncoder().encode(JSON.stringify({ ip: this.#o.ip, port: this.#o.port }));
    for (;;) {
      try {
        const current = await store.get(this.#key);
        await store.update(this.#key, value, current.modRevision, { lease: this.#lease });
        return;
      } catch (err) {
        if (isStoreError(err, "Conflict")) continue;
        if (!isStoreError(err, "NotFound")) throw err;
      }
      try {
        await store.create(this.#key, value, { lease: this.#lease });
        return;
      } catch (err) {
        if (!isStoreError(err, "AlreadyExists")) throw err;
      }
    }
  }

  /** Writes the Endpoints and EndpointSlice from the live leases; returns the addresses. */
  async #rewrite(): Promise<string[]> {
    const live = await this.liveAddresses();
    const { catalog, port } = this.#o;
    const ports = [{ name: "https", port, protocol: "TCP" }];
    const endpoints = catalog.lookup("", "v1", "endpoints");
    // With no live server (all advertise loopback), nothing is created, only emptied.
    const write = { createIfMissing: true };
    if (live.length === 0) {
      const exists = await endpoints?.get(serviceNamespace, serviceName).catch(ignoreNotFound);
      if (!exists) return live;
    }
    await endpoints
      ?.update(
        serviceNamespace,
        serviceName,
        (current) => ({
          ...(current ?? { apiVersion: "v1", kind: "Endpoints" }),
          metadata: {
            ...(current?.metadata ?? { name: serviceName, namespace: serviceNamespace }),
            labels: { ...(current?.metadata?.labels ?? {}), [skipMirrorLabel]: "true" },
          },
          subsets: live.length > 0 ? [{ addresses: live.map((ip) => ({ ip })), ports }] : [],
        }),
        ctx(),
        write,
      )
      .catch(ignoreNotFound);
    const slices = catalog.lookup("discovery.k8s.io", "v1", "endpointslices");
    await slices
      ?.update(
        serviceNamespace,
        serviceName,
        (current) => endpointSlice(current, live, ports),
        ctx(),
        write,
      )
      .catch(ignoreNotFound);
    return live;
  }
}

/** Upstream's `endpointSliceFromEndpoints` for the kubernetes Service. */
function endpointSlice(
  current: KubeObject | undefined,
  live: readonly string[],
  ports: readonly { name: string; port: number; protocol: string }[],
): KubeObject {
  const v6 = live.length > 0 && live.every((ip) => ip.includes(":"));
  return {
    ...(current ?? { apiVersion: "discovery.k8s.io/v1", kind: "EndpointSlice" }),
    metadata: {
      ...(current?.metadata ?? { name: serviceName, namespace: serviceNamespace }),
      labels: { [serviceNameLabel]: serviceName },
    },
    addressType: v6 ? "IPv6" : "IPv4",
    endpoints: live.map((ip) => ({ addresses: [ip], conditions: { ready: true } })),
    ports: ports.map((p) => ({ ...p })),
  };
}
