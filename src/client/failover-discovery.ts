/**
 * Keeps a `ServerPool` current from the `kubernetes` Endpoints in `default` (every live API
 * server, endpoint-reconciler.ts): read every 10 s through the client itself, so it fails over
 * like any request. Clients that may not read Endpoints (403) keep the seed alone, and are told
 * once. `startFailover` is what the CLI wires: a pool, its probes and its discovery in one.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import type { Endpoints } from "../api/generated/types.ts";
import { type Clock, realClock, type Timer } from "../machinery/clock.ts";
import type { Logger } from "../machinery/log.ts";
import { isStatusError } from "../machinery/status.ts";
import { ServerPool, type ServerPoolOptions } from "./failover.ts";
import type { RestClient } from "./rest-client.ts";

export const kubernetesEndpointsPath = "/api/v1/namespaces/default/endpoints/kubernetes";

/** The API server URLs an Endpoints object names (its `https` port, else its first). */
export function serversFromEndpoints(endpoints: Endpoints): string[] {
  const out: string[] = [];
  for (const subset of endpoints.subsets ?? []) {
    const port = (subset.ports ?? []).find((p) => p.name === "https") ?? subset.ports?.[0];
    if (!port) continue;
    for (const a of subset.addresses ?? []) {
      out.push(`https://${a.ip.includes(":") ? `[${a.ip}]` : a.ip}:${port.port}`);
    }
  }
  return out;
}

export interface DiscoveryOptions {
  readonly client: RestClient;
  readonly pool: ServerPool;
  readonly clock: Clock;
  readonly log: Logger;
  readonly intervalMs?: number;
}

export class ServerDiscovery {
  readonly #o: DiscoveryOptions;
  #timer: Timer | undefined;
  #running = false;
  #forbidden = false;

  constructor(options: DiscoveryOptions) {
    this.#o = options;
  }

  /** Reads the Endpoints once and updates the pool; false when they could not be read. */
  async refresh(): Promise<boolean> {
    try {
      const endpoints = await this.#o.client.get<Endpoints>(kubernetesEndpointsPath);
      const servers = serversFromEndpoints(endpoints);
      // An empty list (a loopback-only server) says nothing about where the servers are.
      if (servers.length > 0) this.#o.pool.setServers(servers);
      return true;
    } catch (err) {
      if (isStatusError(err, "Forbidden")) {
        if (!this.#forbidden) {
          this.#o.log.info("may not read the kubernetes Endpoints; only the seed server is used");
        }
        this.#forbidden = true;
      } else if (!isStatusError(err, "NotFound")) {
        this.#o.log.debug("cannot read the kubernetes Endpoints", { err });
      }
      return false;
    }
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    const tick = () => {
      void this.refresh().finally(() => {
        if (this.#running) this.#timer = this.#o.clock.after(this.#o.intervalMs ?? 10_000, tick);
      });
    };
    tick();
  }

  stop(): void {
    this.#running = false;
    this.#timer?.cancel();
  }
}

export interface Failover {
  readonly pool: ServerPool;
  /**
   * Starts probing and discovery through `client` (which must have been given `pool`); later
   * calls do nothing.
   */
  start(client: RestClient): void;
  stop(): void;
}

export interface FailoverOptions extends Partial<Omit<ServerPoolOptions, "seed" | "log">> {
  readonly discoveryIntervalMs?: number;
  /**
   * Where the discovered servers are kept across restarts (k3s keeps its agent load balancer's
   * list so too): an agent whose seed master is down at start still finds the others.
   */
  readonly stateFile?: string;
}

/** The servers a previous run saved, or none. */
function loadServers(file: string | undefined): string[] {
  if (!file) return [];
  try {
    const saved = JSON.parse(readFileSync(file, "utf8")) as { servers?: unknown };
    return Array.isArray(saved.servers) ? saved.servers.filter((s) => typeof s === "string") : [];
  } catch {
    return [];
  }
}

function saveServers(file: string, servers: readonly string[], log: Logger): void {
  try {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    writeFileSync(`${file}.tmp`, `${JSON.stringify({ servers }, null, 2)}\n`, { mode: 0o600 });
    renameSync(`${file}.tmp`, file);
  } catch (err) {
    log.warn("cannot save the API server list", { file, err });
  }
}

/**
 * A pool seeded with `seed` (and the servers `stateFile` saved), for a client config's
 * `servers`; `start(client)` once the client exists. Options override the timings (tests).
 */
export function createFailover(seed: string, log: Logger, options: FailoverOptions = {}): Failover {
  const clock = options.clock ?? realClock;
  const file = options.stateFile;
  const pool = new ServerPool({
    ...options,
    seed,
    clock,
    log,
    ...(file ? { onServers: (servers) => saveServers(file, servers, log) } : {}),
  });
  const saved = loadServers(file);
  if (saved.length > 0) pool.setServers(saved);
  let discovery: ServerDiscovery | undefined;
  return {
    pool,
    start(client) {
      // The first client of a process that starts it does the discovery for all.
      if (discovery) return;
      pool.start();
      discovery = new ServerDiscovery({
        client,
        pool,
        clock,
        log,
        ...(options.discoveryIntervalMs ? { intervalMs: options.discoveryIntervalMs } : {}),
      });
      discovery.start();
    },
    stop() {
      discovery?.stop();
      pool.stop();
    },
  };
}
