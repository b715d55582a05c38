/**
 * Client-side failover between API servers (ADR 21): a `ServerPool` holds every API server a
 * client may use — the configured server as the seed, plus those the `kubernetes` Endpoints name
 * (failover-discovery.ts) — and which of them answers. Every RestClient given the pool sends to
 * `current()`: one server at a time, kept until it fails (connections and watch caches stay
 * warm), then the next live one in order.
 *
 * A server is found dead two ways: a request cannot connect to it (`reportFailure`, at once), or
 * the pool's own probes (a TCP connect every 2 s, 1.5 s timeout) fail twice in a row — the probe
 * is what catches a master whose host vanished (no RST: established watches would hang until TCP
 * gives up, minutes later). A server going down is announced to the clients (`onDown`), which
 * close their connections to it, so their watches end and re-open on the next live server.
 * A dead server's probes continue, and it is used again once one succeeds.
 */
import { connect } from "node:net";
import type { Clock, Timer } from "../machinery/clock.ts";
import type { Logger } from "../machinery/log.ts";

/** Answers whether a TCP connection to the server opens within `timeoutMs`. */
export type ServerProbe = (server: URL, timeoutMs: number) => Promise<boolean>;

export interface ServerPoolOptions {
  /** The configured server (https://host:port): always in the pool, preferred at start. */
  readonly seed: string;
  readonly clock: Clock;
  readonly log: Logger;
  readonly probe?: ServerProbe;
  readonly probeIntervalMs?: number;
  readonly probeTimeoutMs?: number;
  /** Consecutive failed probes that make a live server dead (default 2). */
  readonly failuresToDown?: number;
  /** Told the new list whenever discovery changes it (to save it for the next start). */
  readonly onServers?: (servers: readonly string[]) => void;
}

interface ServerState {
  healthy: boolean;
  failures: number;
}

export const tcpProbe: ServerProbe = (server, timeoutMs) =>
  new Promise((resolve) => {
    const socket = connect({
      host: server.hostname.replace(/^\[|\]$/g, ""),
      port: Number(server.port || 443),
    });
    const done = (ok: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });

export class ServerPool {
  readonly #o: ServerPoolOptions;
  readonly #state = new Map<string, ServerState>();
  #order: string[];
  #current: string;
  readonly #listeners = new Set<(server: string) => void>();
  #timer: Timer | undefined;
  #running = false;

  constructor(options: ServerPoolOptions) {
    this.#o = options;
    const seed = normalize(options.seed);
    this.#order = [seed];
    this.#current = seed;
    this.#state.set(seed, { healthy: true, failures: 0 });
  }

  get seed(): string {
    return this.#order[0]!;
  }

  get size(): number {
    return this.#order.length;
  }

  servers(): string[] {
    return [...this.#order];
  }

  healthy(server: string): boolean {
    return this.#state.get(normalize(server))?.healthy ?? false;
  }

  /** The server to send to: the current one while it is live, else the next live one. */
  current(): string {
    if (!this.healthy(this.#current)) this.#moveOn();
    return this.#current;
  }

  /** Replaces the discovered servers; the seed stays first. Unknown servers start live. */
  setServers(servers: readonly string[]): void {
    const next = [this.seed, ...servers.map(normalize).filter((s) => s !== this.seed)];
    const unique = [...new Set(next)];
    if (unique.join(",") === this.#order.join(",")) return;
    for (const s of unique)
      if (!this.#state.has(s)) this.#state.set(s, { healthy: true, failures: 0 });
    for (const s of this.#order) if (!unique.includes(s)) this.#state.delete(s);
    this.#o.log.info("API servers", { servers: unique });
    this.#order = unique;
    if (!unique.includes(this.#current)) this.#moveOn();
    this.#o.onServers?.(unique);
  }

  /** A request could not reach `server`: it is dead until a probe says otherwise. */
  reportFailure(server: string): void {
    this.#markDown(normalize(server), "connection failed");
  }

  /** `listener` hears of every server that goes down; returns the unsubscribe function. */
  onDown(listener: (server: string) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Probes every server each interval until `stop`. */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#schedule();
  }

  stop(): void {
    this.#running = false;
    this.#timer?.cancel();
  }

  /** One round of probes (the timer's work; tests call it directly). */
  async probeAll(): Promise<void> {
    const probe = this.#o.probe ?? tcpProbe;
    const timeout = this.#o.probeTimeoutMs ?? 1_500;
    await Promise.all(
      this.#order.map(async (server) => {
        const ok = await probe(new URL(server), timeout).catch(() => false);
        const state = this.#state.get(server);
        if (!state) return;
        if (ok) {
          state.failures = 0;
          if (!state.healthy) {
            state.healthy = true;
            this.#o.log.info("API server answers again", { server });
          }
          return;
        }
        state.failures++;
        if (state.healthy && state.failures >= (this.#o.failuresToDown ?? 2)) {
          this.#markDown(server, "probe failed");
        }
      }),
    );
  }

  #schedule(): void {
    if (!this.#running) return;
    this.#timer = this.#o.clock.after(this.#o.probeIntervalMs ?? 2_000, () => {
      // A pool of one has nowhere to go: it is not probed.
      const round = this.#order.length > 1 ? this.probeAll() : Promise.resolve();
      void round.finally(() => this.#schedule());
    });
  }

  #markDown(server: string, reason: string): void {
    const state = this.#state.get(server);
    if (!state) return;
    const wasHealthy = state.healthy;
    state.healthy = false;
    if (server === this.#current) this.#moveOn();
    if (!wasHealthy) return;
    this.#o.log.warn("API server down; failing over", { server, reason, now: this.#current });
    for (const listener of this.#listeners) listener(server);
  }

  /** The next live server after the current one; with none live, simply the next one. */
  #moveOn(): void {
    const at = Math.max(0, this.#order.indexOf(this.#current));
    const n = this.#order.length;
    for (let i = 1; i <= n; i++) {
      const candidate = this.#order[(at + i) % n]!;
      if (this.#state.get(candidate)?.healthy) {
        this.#current = candidate;
        return;
      }
    }
    this.#current = this.#order[(at + 1) % n]!;
  }
}

/** `https://host:port` with the port spelled out, so that seeds and discoveries compare equal. */
export function normalize(server: string): string {
  const url = new URL(server);
  return `${url.protocol}//${url.hostname}:${url.port || (url.protocol === "https:" ? 443 : 80)}`;
}
