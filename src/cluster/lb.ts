/**
 * The host-side API load balancer of a multi-master cluster (ADR 21): a TCP proxy on
 * 127.0.0.1:<port>, run by the cluster supervisor, that the host kubeconfig points at. Each new
 * connection goes to the next live master, round-robin; TLS passes through untouched (127.0.0.1
 * is in every serving certificate). A master is live while its probe succeeds — `/readyz` once
 * the cluster CA is known (`readyzProbe`), a TCP connect before — checked every second, dead
 * after two failures in a row; a connection that cannot reach its master marks it dead at once
 * and is tried on the next one. When a master goes down the connections spliced to it are
 * closed, so kubectl's watches reconnect. With no master live, connections still go to them in
 * turn (a cluster without etcd quorum still serves what it can).
 */
import { request } from "node:https";
import { connect, createServer, type Server, type Socket } from "node:net";
import { type ServerProbe, tcpProbe } from "../client/failover.ts";
import type { Clock, Timer } from "../machinery/clock.ts";
import type { Logger } from "../machinery/log.ts";

export interface Backend {
  readonly host: string;
  readonly port: number;
}

export interface ApiBalancerOptions {
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  readonly backends: readonly Backend[];
  readonly clock: Clock;
  readonly log: Logger;
  readonly probe?: ServerProbe;
  readonly probeIntervalMs?: number;
  readonly connectTimeoutMs?: number;
  /** How long a probe may take (default 2 s). */
  readonly probeTimeoutMs?: number;
  /** Consecutive failed probes that make a live master dead (default 2). */
  readonly failuresToDown?: number;
}

interface BackendState {
  readonly backend: Backend;
  readonly name: string;
  live: boolean;
  failures: number;
  readonly conns: Set<Socket>;
}

/**
 * Probes `GET /readyz` (public, as upstream's system:public-info-viewer allows) verifying the
 * server with the cluster CA; a TCP connect while `caPem` returns nothing yet.
 */
export function readyzProbe(caPem: () => string | undefined): ServerProbe {
  return (server, timeoutMs) => {
    const ca = caPem();
    if (!ca) return tcpProbe(server, timeoutMs);
    return new Promise((resolve) => {
      const req = request(
        {
          host: server.hostname,
          port: Number(server.port || 443),
          path: "/readyz",
          ca,
          timeout: timeoutMs,
          agent: false,
        },
        (res) => {
          res.resume();
          resolve(res.statusCode === 200);
        },
      );
      req.once("error", () => resolve(false));
      req.once("timeout", () => req.destroy());
      req.end();
    });
  };
}

export class ApiBalancer {
  readonly #o: ApiBalancerOptions;
  readonly #backends: BackendState[];
  readonly #server: Server;
  #next = 0;
  #timer: Timer | undefined;
  #stopped = false;

  constructor(options: ApiBalancerOptions) {
    this.#o = options;
    this.#backends = options.backends.map((backend) => ({
      backend,
      name: `${backend.host}:${backend.port}`,
      live: true,
      failures: 0,
      conns: new Set(),
    }));
    this.#server = createServer((client) => this.#accept(client));
  }

  /** Listens; resolves with the port. */
  async start(): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once("error", reject);
      this.#server.listen(this.#o.port, this.#o.host, () => {
        this.#server.off("error", reject);
        resolve();
      });
    });
    this.#schedule();
    const address = this.#server.address();
    return typeof address === "object" && address ? address.port : this.#o.port;
  }

  /** The backends a connection may go to now. */
  live(): string[] {
    return this.#backends.filter((b) => b.live).map((b) => b.name);
  }

  /** One round of probes (the timer's work; tests call it directly). */
  async probeAll(): Promise<void> {
    const probe = this.#o.probe ?? tcpProbe;
    await Promise.all(
      this.#backends.map(async (b) => {
        const url = new URL(`https://${b.backend.host}:${b.backend.port}`);
        const ok = await probe(url, this.#o.probeTimeoutMs ?? 2_000).catch(() => false);
        if (ok && !b.live) this.#o.log.info("master answers again", { backend: b.name });
        if (ok) {
          b.live = true;
          b.failures = 0;
        } else if (++b.failures >= (this.#o.failuresToDown ?? 2)) {
          this.#down(b, "probe failed");
        }
      }),
    );
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#timer?.cancel();
    for (const b of this.#backends) for (const c of b.conns) c.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #schedule(): void {
    if (this.#stopped) return;
    this.#timer = this.#o.clock.after(this.#o.probeIntervalMs ?? 1_000, () => {
      void this.probeAll().finally(() => this.#schedule());
    });
  }

  #down(b: BackendState, reason: string): void {
    if (!b.live) return;
    b.live = false;
    this.#o.log.warn("master down; new connections skip it", { backend: b.name, reason });
    for (const c of b.conns) c.destroy();
  }

  /** Live backends in round-robin order from the next one; dead ones last, as a last resort. */
  #candidates(): BackendState[] {
    const n = this.#backends.length;
    const start = this.#next++ % n;
    const ordered = Array.from({ length: n }, (_, i) => this.#backends[(start + i) % n]!);
    return [...ordered.filter((b) => b.live), ...ordered.filter((b) => !b.live)];
  }

  #accept(client: Socket): void {
    client.on("error", () => client.destroy());
    client.pause();
    const candidates = this.#candidates();
    const attempt = (i: number) => {
      const b = candidates[i];
      if (!b || client.destroyed) {
        client.destroy();
        return;
      }
      const upstream = connect({ host: b.backend.host, port: b.backend.port });
      const timer = setTimeout(
        () => upstream.destroy(new Error("connect timed out")),
        this.#o.connectTimeoutMs ?? 1_000,
      );
      upstream.once("connect", () => {
        clearTimeout(timer);
        upstream.off("error", retry);
        upstream.on("error", () => client.destroy());
        b.conns.add(upstream);
        upstream.once("close", () => {
          b.conns.delete(upstream);
          client.destroy();
        });
        client.once("close", () => upstream.destroy());
        client.pipe(upstream);
        upstream.pipe(client);
        client.resume();
      });
      const retry = () => {
        clearTimeout(timer);
        this.#down(b, "connect failed");
        attempt(i + 1);
      };
      upstream.once("error", retry);
    };
    attempt(0);
  }
}
