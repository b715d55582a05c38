import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DnsFormatError, decodeMessage } from "./decode.ts";
import { encodeMessage } from "./encode.ts";
import { addressFromReverse, canonicalIP, ipv6Bytes, reverseName } from "./ip-text.ts";
import { type DnsMessage, type ResourceRecord, RRType } from "./message.ts";
import { queryFor } from "./query-handler.ts";

const response = (answers: ResourceRecord[], extra: Partial<DnsMessage> = {}): DnsMessage => ({
  ...queryFor("web.default.svc.cluster.local", RRType.A, 4242),
  qr: true,
  aa: true,
  answers,
  ...extra,
});

describe("DNS wire format", () => {
  it("round-trips every record type the zone writes", () => {
    const answers: ResourceRecord[] = [
      { name: "a.example", type: "A", ttl: 5, address: "10.96.0.10" },
      { name: "a.example", type: "AAAA", ttl: 5, address: "fd00::a" },
      { name: "c.example", type: "CNAME", ttl: 5, target: "a.example" },
      { name: "10.0.96.10.in-addr.arpa", type: "PTR", ttl: 5, target: "kube-dns.kube-system.svc" },
      { name: "cluster.local", type: "NS", ttl: 5, target: "ns.dns.cluster.local" },
      { name: "_h._tcp.x", type: "SRV", ttl: 5, priority: 0, weight: 33, port: 80, target: "x" },
      { name: "m.example", type: "MX", ttl: 5, preference: 10, exchange: "mail.example" },
      {
        name: "cluster.local",
        type: "SOA",
        ttl: 5,
        mname: "ns.dns.cluster.local",
        rname: "hostmaster.cluster.local",
        serial: 1_700_000_000,
        refresh: 7200,
        retry: 1800,
        expire: 86400,
        minimum: 5,
      },
      {
        name: "dns-version.cluster.local",
        type: "TXT",
        ttl: 28800,
        text: ["1.1.0", "x".repeat(300)],
      },
      { name: "r.example", type: "RAW", rrtype: 99, ttl: 1, data: Uint8Array.of(1, 2, 3) },
    ];
    const msg = response(answers, { edns: { udpSize: 1232, do: true, version: 0 } });
    const decoded = decodeMessage(encodeMessage(msg).bytes);
    assert.equal(decoded.id, 4242);
    assert.equal(decoded.qr, true);
    assert.equal(decoded.aa, true);
    assert.equal(decoded.rd, true);
    assert.deepEqual(decoded.questions, msg.questions);
    assert.deepEqual(decoded.edns, { udpSize: 1232, do: true, version: 0 });
    const txt = decoded.answers.find((a) => a.type === "TXT");
    assert.deepEqual(txt?.type === "TXT" && txt.text, ["1.1.0", "x".repeat(255), "x".repeat(45)]);
    const rest = decoded.answers.filter((a) => a.type !== "TXT");
    assert.deepEqual(
      rest.map((a) => ({ ...a, class: undefined })),
      answers.filter((a) => a.type !== "TXT").map((a) => ({ ...a, class: undefined })),
    );
  });

  it("compresses repeated names", () => {
    const many = Array.from({ length: 10 }, (_, i) => ({
      name: "web.default.svc.cluster.local",
      type: "A" as const,
      ttl: 5,
      address: `10.244.0.${i}`,
    }));
    const bytes = encodeMessage(response(many)).bytes;
    // header 12 + question (31 + 4) + 10 × (pointer 2 + 10 + 4)
    assert.equal(bytes.length, 12 + 35 + 10 * 16);
    assert.equal(decodeMessage(bytes).answers.length, 10);
  });

  it("truncates answers that do not fit and sets TC; extra records are dropped silently", () => {
    const many = Array.from({ length: 100 }, (_, i) => ({
      name: `pod-${i}.db.default.svc.cluster.local`,
      type: "A" as const,
      ttl: 5,
      address: `10.244.1.${i}`,
    }));
    const cut = encodeMessage(response(many), { maxSize: 512 });
    assert.equal(cut.truncated, true);
    assert.ok(cut.bytes.length <= 512);
    const decoded = decodeMessage(cut.bytes);
    assert.equal(decoded.tc, true);
    assert.ok(decoded.answers.length > 5 && decoded.answers.length < 100);

    const extras = encodeMessage(response(many.slice(0, 2), { additionals: many }), {
      maxSize: 512,
    });
    assert.equal(extras.truncated, false);
    assert.equal(decodeMessage(extras.bytes).tc, false);
    assert.equal(decodeMessage(extras.bytes).answers.length, 2);
  });

  it("rejects malformed messages", () => {
    assert.throws(() => decodeMessage(Buffer.alloc(5)), DnsFormatError);
    const loop = Buffer.from(encodeMessage(queryFor("a.b", RRType.A)).bytes);
    loop.writeUInt16BE(0xc000 | 12, 12); // the question name points at itself
    assert.throws(() => decodeMessage(loop), DnsFormatError);
    const short = encodeMessage(response([{ name: "a", type: "A", ttl: 1, address: "1.2.3.4" }]));
    assert.throws(
      () => decodeMessage(short.bytes.subarray(0, short.bytes.length - 2)),
      DnsFormatError,
    );
  });

  it("reads and writes reverse names", () => {
    assert.equal(reverseName("10.96.0.10"), "10.0.96.10.in-addr.arpa");
    assert.equal(addressFromReverse("10.0.96.10.in-addr.arpa"), "10.96.0.10");
    assert.equal(addressFromReverse("0.96.10.in-addr.arpa"), undefined);
    const v6 = reverseName("fd00::1:2");
    assert.ok(v6.startsWith("2.0.0.0.1.0.0.0.0"));
    assert.equal(addressFromReverse(v6), "fd00::1:2");
    assert.equal(canonicalIP("FD00:0:0:0:0:0:0:1"), "fd00::1");
    assert.deepEqual(ipv6Bytes("::ffff:10.0.0.1").slice(10), [255, 255, 10, 0, 0, 1]);
  });
});
