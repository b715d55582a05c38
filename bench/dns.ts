/**
 * Cluster DNS throughput and latency over real UDP sockets on 127.0.0.1: the server (cluster zone
 * of 2,000 services, 100 of them headless with 10 endpoints each; forwarding to a local fake
 * upstream) and the load generator share this process, so the figures are a floor. Queries are
 * kept 64 in flight (and, for unloaded latency, one at a time).
 */
import { createSocket } from "node:dgram";
import { cpus } from "node:os";
import { DnsIndex } from "../src/dns/dns-index.ts";
import { DnsServer } from "../src/dns/dns-server.ts";
import { encodeMessage } from "../src/dns/encode.ts";
import { Forwarder } from "../src/dns/forwarder.ts";
import { RRType } from "../src/dns/message.ts";
import { QueryHandler, queryFor } from "../src/dns/query-handler.ts";
import { ResponseCache } from "../src/dns/response-cache.ts";
import { startFakeUpstream } from "../src/dns/testing/fake-upstream.ts";
import { FakeClock, realClock } from "../src/machinery/clock.ts";
import { silentLogger } from "../src/machinery/log.ts";
import { now, printTable, summarize } from "./stats.ts";

function clusterIndex(): DnsIndex {
  const index = new DnsIndex(new FakeClock());
  index.setNamespace({ metadata: { name: "default" } });
  for (let i = 0; i < 2000; i++) {
    const headless = i < 100;
    index.setService({
      metadata: { name: `svc-${i}`, namespace: "default" },
      spec: {
        clusterIP: headless ? "None" : `10.96.${(i >> 8) + 1}.${i & 255}`,
        ports: [{ name: "http", port: 80 }],
      },
    });
    if (headless) {
      index.setSlice({
        metadata: {
          name: `svc-${i}-x`,
          namespace: "default",
          labels: { "kubernetes.io/service-name": `svc-${i}` },
        },
        addressType: "IPv4",
        endpoints: Array.from({ length: 10 }, (_, k) => ({
          addresses: [`10.244.${i}.${k + 1}`],
          conditions: { ready: true },
        })),
        ports: [{ name: "http", port: 8080, protocol: "TCP" }],
      });
    }
  }
  return index;
}

/** Sends `count` queries named by `name(i)`, `inflight` at a time; latencies in ms. */
async function load(port: number, count: number, name: (i: number) => string, inflight = 64) {
  const socket = createSocket("udp4");
  await new Promise<void>((r) => socket.bind(0, "127.0.0.1", r));
  const sentAt = new Map<number, number>();
  const latencies: number[] = [];
  let next = 0;
  let done = 0;
  const start = now();
  await new Promise<void>((resolve) => {
    const send = () => {
      if (next >= count) return;
      const id = next % 65536;
      const q = encodeMessage(queryFor(name(next), RRType.A, id)).bytes;
      next++;
      sentAt.set(id, now());
      socket.send(q, port, "127.0.0.1");
    };
    socket.on("message", (msg) => {
      const id = msg.readUInt16BE(0);
      const t = sentAt.get(id);
      if (t === undefined) return;
      sentAt.delete(id);
      latencies.push(now() - t);
      if (++done === count) resolve();
      else send();
    });
    for (let i = 0; i < inflight; i++) send();
  });
  const seconds = (now() - start) / 1000;
  socket.close();
  return { qps: count / seconds, ...summarize(latencies) };
}

export async function run(): Promise<void> {
  const upstream = await startFakeUpstream({
    "example.com": [{ name: "example.com", type: "A", ttl: 300, address: "192.0.2.10" }],
  });
  const forwarder = new Forwarder({ upstreams: [upstream], clock: realClock, log: silentLogger });
  const handler = new QueryHandler({
    index: clusterIndex(),
    zone: { zone: "cluster.local", ttl: 5, dnsIPs: ["10.96.0.10"] },
    forwarder,
    cache: new ResponseCache({ clock: realClock }),
    log: silentLogger,
  });
  const server = new DnsServer({
    handler,
    listen: [{ host: "127.0.0.1", port: 0 }],
    log: silentLogger,
  });
  await server.start();
  const port = server.addresses[0]!.port;
  const n = 40_000;
  await load(port, 2000, (i) => `svc-${(i % 1900) + 100}.default.svc.cluster.local`); // warm-up
  const rows: Array<Array<string | number>> = [];
  const scenarios: Array<[string, number, (i: number) => string]> = [
    ["ClusterIP service (A)", n, (i) => `svc-${(i % 1900) + 100}.default.svc.cluster.local`],
    ["headless, 10 endpoints (A)", n, (i) => `svc-${i % 100}.default.svc.cluster.local`],
    [
      "search-path miss (NXDOMAIN)",
      n,
      (i) => `svc-${i % 2000}.default.svc.cluster.local.default.svc.cluster.local`,
    ],
    ["forwarded, cached", n, () => "example.com"],
    ["forwarded, cache miss", 10_000, (i) => `n${i}.example.org`],
  ];
  for (const [label, count, name] of scenarios) {
    const r = await load(port, count, name);
    rows.push([label, count, r.qps, r.p50, r.p99]);
  }
  const one = await load(port, 5000, (i) => `svc-${(i % 1900) + 100}.default.svc.cluster.local`, 1);
  rows.push(["ClusterIP, one query at a time", 5000, one.qps, one.p50, one.p99]);
  printTable(["scenario", "queries", "queries/s", "p50 ms", "p99 ms"], rows);
  console.log(
    `\n(server and client in one process on ${cpus().length} shared cores; 64 queries in flight, UDP, 127.0.0.1)`,
  );
  await server.stop();
  forwarder.close();
  await upstream.stop();
}
