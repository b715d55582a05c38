import assert from "node:assert/strict";
import { createSocket } from "node:dgram";
import { after, before, describe, it } from "node:test";
import { FakeClock } from "../machinery/clock.ts";
import { silentLogger } from "../machinery/log.ts";
import { decodeMessage } from "./decode.ts";
import { DnsIndex } from "./dns-index.ts";
import { encodeMessage } from "./encode.ts";
import { Forwarder } from "./forwarder.ts";
import { type DnsMessage, Rcode, RRType } from "./message.ts";
import { QueryHandler, queryFor } from "./query-handler.ts";
import { ResponseCache, scanResponse } from "./response-cache.ts";
import { type FakeUpstream, startFakeUpstream } from "./testing/fake-upstream.ts";

const big = Array.from({ length: 60 }, (_, i) => ({
  name: "big.example.com",
  type: "A" as const,
  ttl: 60,
  address: `192.0.2.${i}`,
}));

function handlerWith(upstreamPorts: Array<{ host: string; port: number }>, clock: FakeClock) {
  const index = new DnsIndex(clock);
  index.setNamespace({ metadata: { name: "default" } });
  index.setService({
    metadata: { name: "ext", namespace: "default" },
    spec: { type: "ExternalName", externalName: "www.example.com" },
  });
  const forwarder = new Forwarder({ upstreams: upstreamPorts, clock, log: silentLogger });
  const cache = new ResponseCache({ clock });
  const handler = new QueryHandler({
    index,
    zone: { zone: "cluster.local", ttl: 5, dnsIPs: ["10.96.0.10"] },
    forwarder,
    cache,
    log: silentLogger,
  });
  return { handler, forwarder, cache };
}

async function ask(
  h: QueryHandler,
  name: string,
  type: number,
  transport: "udp" | "tcp" = "udp",
  edns = false,
): Promise<DnsMessage> {
  const q = {
    ...queryFor(name, type, 7),
    ...(edns ? { edns: { udpSize: 4096, do: false, version: 0 } } : {}),
  };
  const reply = await h.handle(encodeMessage(q).bytes, transport);
  assert.ok(reply);
  return decodeMessage(reply);
}

describe("query handler", () => {
  let upstream: FakeUpstream;
  before(async () => {
    upstream = await startFakeUpstream({
      "www.example.com": [{ name: "www.example.com", type: "A", ttl: 60, address: "192.0.2.80" }],
      "short.example.com": [{ name: "short.example.com", type: "A", ttl: 0, address: "192.0.2.1" }],
      "big.example.com": big,
    });
  });
  after(() => upstream.stop());

  it("forwards other names and caches the answer for its TTL (at most 30 s)", async () => {
    const clock = new FakeClock();
    const { handler, forwarder, cache } = handlerWith([upstream], clock);
    const first = await ask(handler, "www.example.com", RRType.A);
    assert.equal(first.id, 7);
    assert.equal(first.rcode, Rcode.NoError);
    assert.deepEqual(
      first.answers.map((a) => a.type === "A" && a.address),
      ["192.0.2.80"],
    );
    const before = upstream.asked.length;
    clock.advance(10_000);
    const second = await ask(handler, "WWW.example.com", RRType.A);
    assert.equal(upstream.asked.length, before, "served from the cache");
    assert.equal(second.answers[0]?.ttl, 20, "TTL capped at 30 and aged by 10 s");
    clock.advance(21_000);
    await ask(handler, "www.example.com", RRType.A);
    assert.equal(upstream.asked.length, before + 1, "expired");
    await ask(handler, "short.example.com", RRType.A);
    await ask(handler, "short.example.com", RRType.A);
    assert.equal(upstream.asked.filter((q) => q.startsWith("short")).length, 2, "TTL 0 not cached");
    assert.ok(cache.hits >= 1);
    forwarder.close();
  });

  it("caches NXDOMAIN for the SOA's negative TTL", async () => {
    const clock = new FakeClock();
    const { handler, forwarder } = handlerWith([upstream], clock);
    const a = await ask(handler, "nope.example.org", RRType.A);
    assert.equal(a.rcode, Rcode.NXDomain);
    const n = upstream.asked.length;
    await ask(handler, "nope.example.org", RRType.A);
    assert.equal(upstream.asked.length, n);
    forwarder.close();
  });

  it("sets TC on big UDP answers; the same question over TCP gets everything", async () => {
    const clock = new FakeClock();
    const { handler, forwarder } = handlerWith([upstream], clock);
    const udp = await ask(handler, "big.example.com", RRType.A);
    assert.equal(udp.tc, true);
    const tcp = await ask(handler, "big.example.com", RRType.A, "tcp");
    assert.equal(tcp.tc, false);
    assert.equal(tcp.answers.length, 60);
    const edns = await ask(handler, "big.example.com", RRType.A, "udp", true);
    assert.equal(edns.answers.length, 60, "fits the 1232-byte EDNS payload");
    forwarder.close();
  });

  it("moves on to the next resolver when one does not answer in time", async () => {
    const clock = new FakeClock();
    const silent = createSocket("udp4");
    await new Promise<void>((r) => silent.bind(0, "127.0.0.1", r));
    const dead = { host: "127.0.0.1", port: silent.address().port };
    const { handler, forwarder } = handlerWith([dead, upstream], clock);
    let received = 0;
    silent.on("message", () => {
      received++;
      clock.advance(2000);
    });
    const a = await ask(handler, "www.example.com", RRType.A);
    assert.equal(received, 1);
    assert.equal(a.rcode, Rcode.NoError);
    assert.equal(forwarder.failures, 1);
    silent.close();
    forwarder.close();
  });

  it("answers SERVFAIL when no resolver answers", async () => {
    const clock = new FakeClock();
    const silent = createSocket("udp4");
    await new Promise<void>((r) => silent.bind(0, "127.0.0.1", r));
    silent.on("message", () => clock.advance(2000));
    const { handler, forwarder } = handlerWith(
      [{ host: "127.0.0.1", port: silent.address().port }],
      clock,
    );
    assert.equal((await ask(handler, "www.example.com", RRType.A)).rcode, Rcode.ServFail);
    silent.close();
    forwarder.close();
  });

  it("follows ExternalName CNAMEs to upstream addresses", async () => {
    const { handler, forwarder } = handlerWith([upstream], new FakeClock());
    const a = await ask(handler, "ext.default.svc.cluster.local", RRType.A);
    assert.equal(a.aa, true);
    assert.deepEqual(
      a.answers.map((r) => r.type),
      ["CNAME", "A"],
    );
    forwarder.close();
  });

  it("answers FORMERR, NOTIMP and nothing for responses", async () => {
    const { handler, forwarder } = handlerWith([], new FakeClock());
    const bad = Buffer.from(encodeMessage(queryFor("a.b", RRType.A, 9)).bytes);
    const formerr = await handler.handle(bad.subarray(0, bad.length - 3), "udp");
    assert.equal(formerr && decodeMessage(formerr).rcode, Rcode.FormErr);
    const notify = Buffer.from(bad);
    notify[2] = (4 << 3) | 1;
    const notimp = await handler.handle(notify, "udp");
    assert.equal(notimp && decodeMessage(notimp).rcode, Rcode.NotImp);
    const response = Buffer.from(bad);
    response[2]! |= 0x80;
    assert.equal(await handler.handle(response, "udp"), undefined);
    forwarder.close();
  });

  it("scans TTLs of raw responses", () => {
    const msg = encodeMessage({
      ...queryFor("x.example", RRType.A),
      qr: true,
      answers: [
        { name: "x.example", type: "A", ttl: 100, address: "192.0.2.1" },
        { name: "x.example", type: "A", ttl: 40, address: "192.0.2.2" },
      ],
      edns: { udpSize: 1232, do: false, version: 0 },
    }).bytes;
    const s = scanResponse(msg);
    assert.equal(s.cacheSeconds, 40);
    assert.equal(s.ttlOffsets.length, 2);
  });
});
