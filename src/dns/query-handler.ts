/**
 * One query in, one response out, independent of sockets: the cluster zone answers from the
 * index; other names go to the forwarder through the response cache; ExternalName CNAMEs are
 * followed. UDP responses are cut to the client's payload size (512 without EDNS) with TC set, so
 * the client retries over TCP.
 */
import type { Logger } from "../machinery/log.ts";
import { answerClusterQuestion, inClusterZone, type ZoneOptions } from "./cluster-zone.ts";
import { DnsFormatError, decodeMessage } from "./decode.ts";
import type { DnsIndex } from "./dns-index.ts";
import { encodeMessage } from "./encode.ts";
import type { Forwarder } from "./forwarder.ts";
import { type DnsMessage, Rcode, type ResourceRecord, replyTo } from "./message.ts";
import type { ResponseCache } from "./response-cache.ts";

export type Transport = "udp" | "tcp";

export interface QueryHandlerOptions {
  readonly index: DnsIndex;
  readonly zone: ZoneOptions;
  readonly forwarder?: Forwarder;
  readonly cache?: ResponseCache;
  readonly log: Logger;
  /** Rotate address answers between queries (CoreDNS `loadbalance`); default true. */
  readonly shuffle?: boolean;
}

export interface QueryStats {
  queries: number;
  cluster: number;
  forwarded: number;
  servfail: number;
  formerr: number;
}

/** Largest UDP payload we send (the DNS flag day 2020 default). */
const maxUdpPayload = 1232;

export class QueryHandler {
  readonly #o: QueryHandlerOptions;
  readonly #inflight = new Map<string, Promise<Buffer | undefined>>();
  #rotation = 0;
  readonly stats: QueryStats = { queries: 0, cluster: 0, forwarded: 0, servfail: 0, formerr: 0 };

  constructor(o: QueryHandlerOptions) {
    this.#o = o;
  }

  /** The response to `packet`, or undefined when nothing should be sent back. */
  async handle(packet: Buffer, transport: Transport): Promise<Buffer | undefined> {
    if (packet.length < 12 || (packet[2]! & 0x80) !== 0) return undefined;
    this.stats.queries++;
    let query: DnsMessage;
    try {
      query = decodeMessage(packet);
    } catch (err) {
      if (!(err instanceof DnsFormatError)) throw err;
      this.stats.formerr++;
      return formErr(packet);
    }
    const maxSize =
      transport === "tcp"
        ? 65535
        : Math.min(Math.max(query.edns?.udpSize ?? 512, 512), query.edns ? maxUdpPayload : 512);
    const edns = query.edns ? { udpSize: maxUdpPayload, do: query.edns.do, version: 0 } : undefined;
    const q = query.questions[0];
    if (query.opcode !== 0) {
      return encodeMessage(replyTo(query, { rcode: Rcode.NotImp, ...(edns ? { edns } : {}) }))
        .bytes;
    }
    if (query.questions.length !== 1 || !q) {
      this.stats.formerr++;
      return encodeMessage(replyTo(query, { rcode: Rcode.FormErr })).bytes;
    }
    const name = q.name.toLowerCase().replace(/\.$/, "");
    if (inClusterZone(name, this.#o.zone.zone)) {
      const answer = answerClusterQuestion(this.#o.index, q, this.#o.zone);
      if (answer) {
        this.stats.cluster++;
        const answers = this.#rotate(answer.answers);
        if (answer.chase !== undefined) answers.push(...(await this.#chase(answer.chase, q.type)));
        const reply = replyTo(query, {
          aa: true,
          rcode: answer.rcode,
          answers,
          authorities: answer.authorities,
          additionals: answer.additionals,
          ...(edns ? { edns } : {}),
        });
        return encodeMessage(reply, { maxSize }).bytes;
      }
    }
    return this.#forwarded(query, packet, transport, maxSize);
  }

  #rotate(answers: ResourceRecord[]): ResourceRecord[] {
    if (this.#o.shuffle === false || answers.length < 2) return [...answers];
    const allAddresses = answers.every((a) => a.type === "A" || a.type === "AAAA");
    if (!allAddresses) return [...answers];
    const k = this.#rotation++ % answers.length;
    return [...answers.slice(k), ...answers.slice(0, k)];
  }

  /** Records for an ExternalName target: from the zone itself, or from upstream. */
  async #chase(target: string, type: number, depth = 0): Promise<ResourceRecord[]> {
    if (depth > 7) return [];
    const name = target.toLowerCase();
    if (inClusterZone(name, this.#o.zone.zone)) {
      const a = answerClusterQuestion(
        this.#o.index,
        { name: target, type, class: 1 },
        this.#o.zone,
      );
      if (!a) return [];
      const more = a.chase !== undefined ? await this.#chase(a.chase, type, depth + 1) : [];
      return [...a.answers, ...more];
    }
    const forwarder = this.#o.forwarder;
    if (!forwarder) return [];
    const q = encodeMessage(queryFor(target, type)).bytes;
    const raw = await this.#exchange(q, "udp", keyOf(target, type, false, false));
    if (!raw) return [];
    try {
      return [...decodeMessage(raw).answers].filter(
        (rr) => rr.type === "CNAME" || rr.type === "A" || rr.type === "AAAA",
      );
    } catch {
      return [];
    }
  }

  /** Cache, then one shared upstream exchange per identical question. */
  async #exchange(packet: Buffer, transport: Transport, key: string): Promise<Buffer | undefined> {
    const forwarder = this.#o.forwarder;
    if (!forwarder) return undefined;
    const id = packet.readUInt16BE(0);
    const cached = this.#o.cache?.get(key, id);
    if (cached) return cached;
    const flightKey = `${transport}|${key}`;
    let flight = this.#inflight.get(flightKey);
    if (!flight) {
      flight = forwarder.forward(packet, transport).then((answer) => {
        this.#inflight.delete(flightKey);
        if (answer) this.#o.cache?.put(key, answer);
        return answer;
      });
      this.#inflight.set(flightKey, flight);
    }
    const answer = await flight;
    if (!answer) return undefined;
    const out = Buffer.from(answer);
    out.writeUInt16BE(id, 0);
    return out;
  }

  async #forwarded(
    query: DnsMessage,
    packet: Buffer,
    transport: Transport,
    maxSize: number,
  ): Promise<Buffer> {
    this.stats.forwarded++;
    const q = query.questions[0]!;
    const key = keyOf(q.name, q.type, query.edns?.do ?? false, query.cd, q.class);
    const answer = await this.#exchange(packet, transport, key);
    if (!answer) {
      this.stats.servfail++;
      return encodeMessage(replyTo(query, { rcode: Rcode.ServFail, ra: true })).bytes;
    }
    if (answer.length > maxSize) {
      return encodeMessage(replyTo(query, { tc: true, ra: true })).bytes;
    }
    return answer;
  }
}

/** The cache key of a question: `name|type|class|do|cd`. */
function keyOf(name: string, type: number, dnssecOk: boolean, cd: boolean, klass = 1): string {
  return `${name.toLowerCase().replace(/\.$/, "")}|${type}|${klass}|${dnssecOk ? 1 : 0}|${cd ? 1 : 0}`;
}

/** A query message for one question. */
export function queryFor(name: string, type: number, id = 0): DnsMessage {
  return {
    id,
    qr: false,
    opcode: 0,
    aa: false,
    tc: false,
    rd: true,
    ra: false,
    ad: false,
    cd: false,
    rcode: 0,
    questions: [{ name, type, class: 1 }],
    answers: [],
    authorities: [],
    additionals: [],
  };
}

function formErr(packet: Buffer): Buffer {
  const out = Buffer.alloc(12);
  packet.copy(out, 0, 0, 2);
  out[2] = 0x80 | (packet[2]! & 0x79);
  out[3] = Rcode.FormErr;
  return out;
}
