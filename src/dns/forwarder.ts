/**
 * Sends questions the cluster zone does not answer to the node's resolvers (CoreDNS
 * `forward . /etc/resolv.conf`): over the client's transport (UDP, or TCP when the client came
 * over TCP, as after a truncated answer), one resolver after the other until one answers within
 * the timeout. Answers are matched by id, source and question; identical questions in flight
 * share one upstream exchange.
 */
import { randomInt } from "node:crypto";
import { createSocket, type Socket as UdpSocket } from "node:dgram";
import { isIPv6, Socket } from "node:net";
import type { Clock } from "../machinery/clock.ts";
import type { Logger } from "../machinery/log.ts";
import { skipName } from "./decode.ts";

export interface Upstream {
  readonly host: string;
  readonly port: number;
}

export interface ForwarderOptions {
  readonly upstreams: readonly Upstream[];
  readonly clock: Clock;
  readonly log: Logger;
  /** How long to wait for one resolver (default 2000 ms). */
  readonly timeoutMs?: number;
}

interface Pending {
  readonly upstream: Upstream;
  readonly question: Buffer;
  readonly resolve: (b: Buffer | undefined) => void;
}

/** The question section's bytes (after the header). */
function questionBytes(packet: Buffer): Buffer {
  let pos = 12;
  for (let i = 0; i < packet.readUInt16BE(4); i++) pos = skipName(packet, pos) + 4;
  return packet.subarray(12, pos);
}

export class Forwarder {
  readonly #o: ForwarderOptions;
  readonly #timeout: number;
  readonly #sockets = new Map<"udp4" | "udp6", UdpSocket>();
  readonly #pending = new Map<number, Pending>();
  /** The index of the resolver to try first: the last one that answered. */
  #preferred = 0;
  failures = 0;

  constructor(o: ForwarderOptions) {
    this.#o = o;
    this.#timeout = o.timeoutMs ?? 2000;
  }

  get upstreams(): readonly Upstream[] {
    return this.#o.upstreams;
  }

  #socket(family: "udp4" | "udp6"): UdpSocket {
    let s = this.#sockets.get(family);
    if (s) return s;
    s = createSocket(family);
    s.on("message", (msg, rinfo) => this.#onMessage(msg, rinfo.address, rinfo.port));
    s.on("error", (err) => this.#o.log.warn("upstream socket error", { err }));
    s.unref();
    this.#sockets.set(family, s);
    return s;
  }

  #onMessage(msg: Buffer, address: string, port: number): void {
    if (msg.length < 12) return;
    const p = this.#pending.get(msg.readUInt16BE(0));
    if (!p || p.upstream.port !== port || !sameHost(p.upstream.host, address)) return;
    try {
      if (!questionBytes(msg).equals(p.question)) return;
    } catch {
      return;
    }
    p.resolve(msg);
  }

  #freeId(): number {
    for (;;) {
      const id = randomInt(0, 0x10000);
      if (!this.#pending.has(id)) return id;
    }
  }

  #exchangeUdp(packet: Buffer, upstream: Upstream): Promise<Buffer | undefined> {
    const id = this.#freeId();
    const out = Buffer.from(packet);
    out.writeUInt16BE(id, 0);
    return new Promise((resolve) => {
      const timer = this.#o.clock.after(this.#timeout, () => done(undefined));
      const done = (b: Buffer | undefined) => {
        if (this.#pending.get(id)?.resolve !== done) return;
        this.#pending.delete(id);
        timer.cancel();
        resolve(b);
      };
      this.#pending.set(id, { upstream, question: questionBytes(packet), resolve: done });
      const family = isIPv6(upstream.host) ? "udp6" : "udp4";
      this.#socket(family).send(out, upstream.port, upstream.host, (err) => {
        if (err) done(undefined);
      });
    });
  }

  #exchangeTcp(packet: Buffer, upstream: Upstream): Promise<Buffer | undefined> {
    return new Promise((resolve) => {
      const socket = new Socket();
      let buffered = Buffer.alloc(0);
      const timer = this.#o.clock.after(this.#timeout, () => finish(undefined));
      const finish = (b: Buffer | undefined) => {
        timer.cancel();
        socket.destroy();
        resolve(b);
      };
      socket.on("error", () => finish(undefined));
      socket.on("close", () => finish(undefined));
      socket.on("data", (chunk) => {
        buffered = Buffer.concat([buffered, chunk]);
        if (buffered.length < 2) return;
        const len = buffered.readUInt16BE(0);
        if (buffered.length >= 2 + len) finish(buffered.subarray(2, 2 + len));
      });
      socket.connect(upstream.port, upstream.host, () => {
        const frame = Buffer.allocUnsafe(2 + packet.length);
        frame.writeUInt16BE(packet.length, 0);
        packet.copy(frame, 2);
        socket.write(frame);
      });
    });
  }

  /**
   * The upstream answer to `packet` (a client's query; its id is replaced on the way out and the
   * answer carries the upstream exchange's id), or undefined when no resolver answered.
   */
  async forward(packet: Buffer, transport: "udp" | "tcp"): Promise<Buffer | undefined> {
    const ups = this.#o.upstreams;
    for (let i = 0; i < ups.length; i++) {
      const index = (this.#preferred + i) % ups.length;
      const upstream = ups[index]!;
      const answer =
        transport === "tcp"
          ? await this.#exchangeTcp(packet, upstream)
          : await this.#exchangeUdp(packet, upstream);
      if (answer) {
        this.#preferred = index;
        return answer;
      }
      this.failures++;
      this.#o.log.warn("upstream resolver did not answer", {
        upstream: `${upstream.host}:${upstream.port}`,
        transport,
      });
    }
    return undefined;
  }

  close(): void {
    for (const p of this.#pending.values()) p.resolve(undefined);
    for (const s of this.#sockets.values()) s.close();
    this.#sockets.clear();
  }
}

function sameHost(a: string, b: string): boolean {
  return a === b || a.replace(/^::ffff:/, "") === b.replace(/^::ffff:/, "");
}
