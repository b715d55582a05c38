/**
 * Cluster DNS against an in-process API server, asked over real sockets: node's resolver (c-ares,
 * which retries over TCP after a truncated UDP answer) and raw TCP queries.
 */
import assert from "node:assert/strict";
import { Resolver } from "node:dns/promises";
import { Socket } from "node:net";
import { after, before, describe, it } from "node:test";
import type { Node } from "../api/generated/types.ts";
import { InformerFactory } from "../client/informer-factory.ts";
import { resourcePath, resources } from "../client/resources.ts";
import { eventually, startTestApi, type TestApi } from "../client/testing/test-api.ts";
import { realClock } from "../machinery/clock.ts";
import { silentLogger } from "../machinery/log.ts";
import { type ClusterDns, clusterDnsNodeLabel, startClusterDns } from "./cluster-dns.ts";
import { decodeMessage } from "./decode.ts";
import { encodeMessage } from "./encode.ts";
import { type DnsMessage, RRType } from "./message.ts";
import { queryFor } from "./query-handler.ts";
import { type FakeUpstream, startFakeUpstream } from "./testing/fake-upstream.ts";

async function askTcp(port: number, name: string, type: number): Promise<DnsMessage> {
  const socket = new Socket();
  await new Promise<void>((r) => socket.connect(port, "127.0.0.1", r));
  const q = encodeMessage(queryFor(name, type, 99)).bytes;
  const frame = Buffer.concat([Buffer.from([q.length >> 8, q.length & 255]), q]);
  socket.write(frame);
  let got = Buffer.alloc(0);
  for await (const chunk of socket) {
    got = Buffer.concat([got, chunk as Buffer]);
    if (got.length >= 2 && got.length >= 2 + got.readUInt16BE(0)) break;
  }
  socket.destroy();
  return decodeMessage(got.subarray(2));
}

describe("cluster DNS (in-process API, real sockets)", () => {
  let api: TestApi;
  let dns: ClusterDns;
  let upstream: FakeUpstream;
  let resolver: Resolver;
  const stop = new AbortController();
  let port = 0;

  before(async () => {
    api = await startTestApi();
    const c = api.client;
    await c.create(resourcePath(resources.nodes), { metadata: { name: "node-1" } });
    await c.create(resourcePath(resources.services, "default"), {
      metadata: { name: "web" },
      spec: { clusterIP: "10.96.7.7", ports: [{ name: "http", port: 80 }] },
    });
    await c.create(resourcePath(resources.services, "default"), {
      metadata: { name: "db" },
      spec: { clusterIP: "None", ports: [{ name: "mysql", port: 3306 }] },
    });
    await c.create(resourcePath(resources.endpointslices, "default"), {
      metadata: { name: "db-1", labels: { "kubernetes.io/service-name": "db" } },
      addressType: "IPv4",
      endpoints: Array.from({ length: 70 }, (_, i) => ({
        addresses: [`10.244.1.${i + 1}`],
        ...(i === 0 ? { hostname: "db-0" } : {}),
        conditions: { ready: true },
      })),
      ports: [{ name: "mysql", port: 3306, protocol: "TCP" }],
    });
    upstream = await startFakeUpstream({
      "example.com": [{ name: "example.com", type: "A", ttl: 300, address: "192.0.2.10" }],
    });
    const informers = new InformerFactory(c);
    dns = await (async () => {
      const started = startClusterDns({
        client: c,
        informers,
        clock: realClock,
        log: silentLogger,
        nodeName: "node-1",
        listen: [{ host: "127.0.0.1", port: 0 }],
        upstreams: [upstream],
      });
      informers.start(stop.signal);
      return started;
    })();
    port = dns.server.addresses[0]!.port;
    resolver = new Resolver({ timeout: 2000, tries: 1 });
    resolver.setServers([`127.0.0.1:${port}`]);
  });
  after(async () => {
    await dns.stop();
    stop.abort();
    await upstream.stop();
    await api.stop();
  });

  it("labels its node so kube-dns can route to it", async () => {
    const node = await eventually(async () => {
      const n = await api.client.get<Node>(resourcePath(resources.nodes, "", "node-1"));
      return n.metadata?.labels?.[clusterDnsNodeLabel] ? n : undefined;
    });
    assert.equal(node.metadata?.labels?.[clusterDnsNodeLabel], String(port));
  });

  it("answers service names over UDP", async () => {
    assert.deepEqual(await resolver.resolve4("web.default.svc.cluster.local"), ["10.96.7.7"]);
    const srv = await resolver.resolveSrv("_http._tcp.web.default.svc.cluster.local");
    assert.deepEqual(srv, [
      { name: "web.default.svc.cluster.local", port: 80, priority: 0, weight: 100, type: "SRV" },
    ]);
    assert.deepEqual(await resolver.reverse("10.96.7.7"), ["web.default.svc.cluster.local"]);
    await assert.rejects(resolver.resolve4("nope.default.svc.cluster.local"), {
      code: "ENOTFOUND",
    });
    await assert.rejects(resolver.resolve6("web.default.svc.cluster.local"), { code: "ENODATA" });
  });

  it("sees new services as they are created", async () => {
    await api.client.create(resourcePath(resources.services, "default"), {
      metadata: { name: "later" },
      spec: { clusterIP: "10.96.7.8", ports: [{ port: 80 }] },
    });
    const got = await eventually(async () => {
      try {
        return await resolver.resolve4("later.default.svc.cluster.local");
      } catch {
        return undefined;
      }
    });
    assert.deepEqual(got, ["10.96.7.8"]);
  });

  it("answers a 70-endpoint headless service: truncated over UDP, whole over TCP", async () => {
    const all = await resolver.resolve4("db.default.svc.cluster.local");
    assert.equal(all.length, 70, "c-ares retried over TCP after TC");
    assert.deepEqual(await resolver.resolve4("db-0.db.default.svc.cluster.local"), ["10.244.1.1"]);
    const tcp = await askTcp(port, "db.default.svc.cluster.local", RRType.A);
    assert.equal(tcp.tc, false);
    assert.equal(tcp.answers.length, 70);
    assert.equal(tcp.aa, true);
  });

  it("forwards other names to the upstream resolver", async () => {
    assert.deepEqual(await resolver.resolve4("example.com"), ["192.0.2.10"]);
    await assert.rejects(resolver.resolve4("missing.example.com"), { code: "ENOTFOUND" });
    const tcp = await askTcp(port, "example.com", RRType.A);
    assert.equal(tcp.answers[0]?.type === "A" && tcp.answers[0].address, "192.0.2.10");
  });
});
