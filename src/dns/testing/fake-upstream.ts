/**
 * A resolver to forward to in tests and benchmarks: answers from a fixed table over UDP and TCP
 * (truncating over UDP like any server) and counts the questions it gets. Names it does not know
 * get NXDOMAIN with an SOA.
 */

import { realClock } from "../../machinery/clock.ts";
import { silentLogger } from "../../machinery/log.ts";
import { decodeMessage } from "../decode.ts";
import { DnsIndex } from "../dns-index.ts";
import { DnsServer } from "../dns-server.ts";
import { encodeMessage } from "../encode.ts";
import { Rcode, type ResourceRecord, replyTo } from "../message.ts";
import { QueryHandler } from "../query-handler.ts";

export interface FakeUpstream {
  readonly host: string;
  readonly port: number;
  /** Questions received, as `name type`. */
  readonly asked: string[];
  stop(): Promise<void>;
}

/** Serves `records` (by lowercased name) on 127.0.0.1; `ttl` for the NXDOMAIN SOA. */
export async function startFakeUpstream(
  records: Record<string, ResourceRecord[]>,
  negativeTtl = 30,
): Promise<FakeUpstream> {
  const asked: string[] = [];
  const handler = new QueryHandler({
    index: new DnsIndex(realClock),
    zone: { zone: "invalid.bosun-test", ttl: 5, dnsIPs: [] },
    log: silentLogger,
  });
  // Answer from the table instead of the cluster zone.
  handler.handle = async (packet, transport) => {
    const query = decodeMessage(packet);
    const q = query.questions[0]!;
    asked.push(`${q.name.toLowerCase()} ${q.type}`);
    const rrs = records[q.name.toLowerCase()];
    const answers = (rrs ?? []).filter(
      (r) =>
        r.type === "CNAME" ||
        (r.type === "A" ? q.type === 1 : r.type === "AAAA" ? q.type === 28 : true),
    );
    const reply = replyTo(query, {
      ra: true,
      rcode: rrs ? Rcode.NoError : Rcode.NXDomain,
      answers,
      authorities:
        rrs && answers.length > 0
          ? []
          : [
              {
                name: "example",
                type: "SOA",
                ttl: negativeTtl,
                mname: "ns.example",
                rname: "hostmaster.example",
                serial: 1,
                refresh: 1,
                retry: 1,
                expire: 1,
                minimum: negativeTtl,
              },
            ],
      ...(query.edns ? { edns: { udpSize: 1232, do: false, version: 0 } } : {}),
    });
    const max =
      transport === "udp" ? (query.edns ? Math.min(query.edns.udpSize, 1232) : 512) : 65535;
    return encodeMessage(reply, { maxSize: max }).bytes;
  };
  const server = new DnsServer({
    handler,
    listen: [{ host: "127.0.0.1", port: 0 }],
    log: silentLogger,
  });
  await server.start();
  const { port } = server.addresses[0]!;
  return { host: "127.0.0.1", port, asked, stop: () => server.stop() };
}
