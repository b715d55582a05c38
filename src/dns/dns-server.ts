/**
 * The DNS listeners: UDP and TCP on each listen address, on the same port (port 0 picks one free
 * for both, for tests). TCP carries length-prefixed messages, several per connection, answered in
 * order; idle connections close after 10 s as CoreDNS's do.
 */
import { createSocket, type Socket as UdpSocket } from "node:dgram";
import { createServer, isIPv6, type Server, type Socket } from "node:net";
import type { Logger } from "../machinery/log.ts";
import type { QueryHandler } from "./query-handler.ts";

export interface ListenAddress {
  readonly host: string;
  readonly port: number;
}

export interface DnsServerOptions {
  readonly handler: QueryHandler;
  readonly listen: readonly ListenAddress[];
  readonly log: Logger;
  /** Idle TCP connections close after this long (default 10 s). */
  readonly tcpIdleMs?: number;
}

export class DnsServer {
  readonly #o: DnsServerOptions;
  readonly #udp: UdpSocket[] = [];
  readonly #tcp: Server[] = [];
  readonly #conns = new Set<Socket>();

  constructor(o: DnsServerOptions) {
    this.#o = o;
  }

  /** Where it listens, once started: one entry per address (UDP and TCP share the port). */
  get addresses(): ListenAddress[] {
    return this.#udp.map((s) => {
      const a = s.address();
      return { host: a.address, port: a.port };
    });
  }

  async start(): Promise<void> {
    for (const addr of this.#o.listen) {
      for (let attempt = 0; ; attempt++) {
        const udp = await this.#bindUdp(addr);
        const port = udp.address().port;
        try {
          this.#tcp.push(await this.#bindTcp({ host: addr.host, port }));
          this.#udp.push(udp);
          break;
        } catch (err) {
          udp.close();
          if (addr.port !== 0 || attempt >= 5) throw err;
        }
      }
    }
    this.#o.log.info("DNS listening", {
      addresses: this.addresses.map((a) => `${a.host}:${a.port}`).join(","),
    });
  }

  #bindUdp(addr: ListenAddress): Promise<UdpSocket> {
    return new Promise((resolve, reject) => {
      const s = createSocket(isIPv6(addr.host) ? "udp6" : "udp4");
      s.once("error", reject);
      s.on("message", (msg, rinfo) => {
        this.#o.handler.handle(msg, "udp").then(
          (reply) => {
            if (reply) s.send(reply, rinfo.port, rinfo.address);
          },
          (err: unknown) => this.#o.log.error("DNS query failed", { err }),
        );
      });
      s.bind(addr.port, addr.host, () => {
        s.off("error", reject);
        s.on("error", (err) => this.#o.log.warn("DNS UDP socket error", { err }));
        resolve(s);
      });
    });
  }

  #bindTcp(addr: ListenAddress): Promise<Server> {
    return new Promise((resolve, reject) => {
      const server = createServer((conn) => this.#serveConnection(conn));
      server.once("error", reject);
      server.listen(addr.port, addr.host, () => {
        server.off("error", reject);
        resolve(server);
      });
    });
  }

  #serveConnection(conn: Socket): void {
    this.#conns.add(conn);
    conn.setTimeout(this.#o.tcpIdleMs ?? 10_000, () => conn.destroy());
    conn.on("close", () => this.#conns.delete(conn));
    conn.on("error", () => conn.destroy());
    let buffered = Buffer.alloc(0);
    let chain: Promise<void> = Promise.resolve();
    conn.on("data", (chunk) => {
      buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
      while (buffered.length >= 2) {
        const len = buffered.readUInt16BE(0);
        if (buffered.length < 2 + len) break;
        const msg = buffered.subarray(2, 2 + len);
        buffered = buffered.subarray(2 + len);
        const answer = this.#o.handler.handle(msg, "tcp");
        chain = chain.then(async () => {
          const reply = await answer;
          if (!reply || conn.destroyed) return;
          const frame = Buffer.allocUnsafe(2 + reply.length);
          frame.writeUInt16BE(reply.length, 0);
          reply.copy(frame, 2);
          conn.write(frame);
        });
        chain = chain.catch((err: unknown) => this.#o.log.error("DNS query failed", { err }));
      }
    });
  }

  async stop(): Promise<void> {
    for (const s of this.#udp.splice(0)) s.close();
    for (const c of this.#conns) c.destroy();
    await Promise.all(
      this.#tcp.splice(0).map((s) => new Promise<void>((resolve) => s.close(() => resolve()))),
    );
  }
}
