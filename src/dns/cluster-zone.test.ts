import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { EndpointSlice, Service } from "../api/generated/types.ts";
import { FakeClock } from "../machinery/clock.ts";
import { answerClusterQuestion, type ZoneAnswer } from "./cluster-zone.ts";
import { DnsIndex } from "./dns-index.ts";
import { Rcode, RRType } from "./message.ts";
import { parseRequest, podAddress } from "./parse-name.ts";

const zone = { zone: "cluster.local", ttl: 5, dnsIPs: ["10.96.0.10"] };

function svc(name: string, spec: NonNullable<Service["spec"]>, ns = "default"): Service {
  return { metadata: { name, namespace: ns }, spec };
}

function slice(
  service: string,
  endpoints: EndpointSlice["endpoints"],
  ports: EndpointSlice["ports"] = [{ name: "mysql", port: 3306, protocol: "TCP" }],
  addressType: EndpointSlice["addressType"] = "IPv4",
): EndpointSlice {
  return {
    metadata: {
      name: `${service}-abc`,
      namespace: "default",
      labels: { "kubernetes.io/service-name": service },
    },
    addressType,
    endpoints,
    ports,
  };
}

function cluster(): DnsIndex {
  const index = new DnsIndex(new FakeClock());
  for (const name of ["default", "kube-system"]) index.setNamespace({ metadata: { name } });
  index.setService(
    svc("web", {
      type: "ClusterIP",
      clusterIP: "10.96.4.2",
      clusterIPs: ["10.96.4.2"],
      ports: [
        { name: "http", port: 80, protocol: "TCP" },
        { name: "metrics", port: 9090, protocol: "TCP" },
      ],
    }),
  );
  index.setService(
    svc("v6", { clusterIP: "fd00::42", clusterIPs: ["fd00::42"], ports: [{ port: 80 }] }),
  );
  index.setService(svc("db", { clusterIP: "None", ports: [{ name: "mysql", port: 3306 }] }));
  index.setSlice(
    slice("db", [
      { addresses: ["10.244.1.5"], hostname: "db-0", conditions: { ready: true } },
      { addresses: ["10.244.2.7"], hostname: "db-1", conditions: { ready: true } },
      { addresses: ["10.244.3.9"], conditions: {} },
      { addresses: ["10.244.4.1"], hostname: "db-2", conditions: { ready: false } },
    ]),
  );
  index.setService(svc("empty", { clusterIP: "None" }));
  index.setService(svc("ext", { type: "ExternalName", externalName: "db.example.com" }));
  return index;
}

const ask = (index: DnsIndex, name: string, type: number): ZoneAnswer | undefined =>
  answerClusterQuestion(index, { name, type, class: 1 }, zone);

const values = (a: ZoneAnswer | undefined) =>
  (a?.answers ?? [])
    .map((r) =>
      r.type === "A" || r.type === "AAAA"
        ? r.address
        : r.type === "CNAME" || r.type === "PTR"
          ? r.target
          : r.type === "SRV"
            ? `${r.priority} ${r.weight} ${r.port} ${r.target}`
            : r.type,
    )
    .sort();

describe("cluster DNS zone", () => {
  it("parses names as the DNS specification does", () => {
    assert.deepEqual(parseRequest("_http._tcp.web.default.svc"), {
      ok: true,
      request: {
        podOrSvc: "svc",
        namespace: "default",
        service: "web",
        endpoint: "",
        port: "http",
        protocol: "tcp",
      },
    });
    assert.equal(parseRequest("db-0.db.default.svc").ok && "ok", "ok");
    assert.deepEqual(parseRequest("x.y.z.web.default.svc"), { ok: false });
    assert.deepEqual(parseRequest("web.default.nope"), { ok: false });
    assert.equal(podAddress("10-244-1-5"), "10.244.1.5");
    assert.equal(podAddress("fd00--1"), "fd00::1");
    assert.equal(podAddress("10-244-1"), undefined);
    assert.equal(podAddress("web"), undefined);
  });

  it("answers a ClusterIP service with its address, TTL 5, authoritative data only", () => {
    const a = ask(cluster(), "web.default.svc.cluster.local", RRType.A);
    assert.equal(a?.rcode, Rcode.NoError);
    assert.deepEqual(values(a), ["10.96.4.2"]);
    assert.equal(a?.answers[0]?.ttl, 5);
    assert.equal(a?.answers[0]?.name, "web.default.svc.cluster.local");
    assert.deepEqual(values(ask(cluster(), "V6.Default.SVC.cluster.local.", RRType.AAAA)), [
      "fd00::42",
    ]);
  });

  it("tells NODATA from NXDOMAIN as CoreDNS does, with the zone SOA", () => {
    const index = cluster();
    const nodata = ask(index, "web.default.svc.cluster.local", RRType.AAAA);
    assert.equal(nodata?.rcode, Rcode.NoError);
    assert.equal(nodata?.answers.length, 0);
    assert.equal(nodata?.authorities[0]?.type, "SOA");
    const soa = nodata?.authorities[0];
    assert.ok(soa?.type === "SOA" && soa.mname === "ns.dns.cluster.local" && soa.minimum === 5);
    for (const name of [
      "nope.default.svc.cluster.local",
      "web.nope.svc.cluster.local",
      "nope.svc.cluster.local",
      "web.default.cluster.local",
      "x.web.default.svc.cluster.local",
      "empty.default.svc.cluster.local",
      // what an ndots:5 search path asks first
      "web.default.svc.cluster.local.default.svc.cluster.local",
      "example.com.default.svc.cluster.local",
    ]) {
      assert.equal(ask(index, name, RRType.A)?.rcode, Rcode.NXDomain, name);
    }
    for (const name of ["cluster.local", "svc.cluster.local", "default.svc.cluster.local"]) {
      const a = ask(index, name, RRType.A);
      assert.equal(a?.rcode, Rcode.NoError, name);
      assert.equal(a?.answers.length, 0, name);
    }
    assert.equal(ask(index, "web.default.svc.cluster.local", RRType.MX)?.rcode, Rcode.NoError);
    assert.equal(ask(index, "nope.default.svc.cluster.local", RRType.MX)?.rcode, Rcode.NXDomain);
    assert.equal(ask(index, "cluster.local", RRType.AXFR)?.rcode, Rcode.Refused);
  });

  it("answers headless services with one record per ready endpoint, and endpoint names", () => {
    const index = cluster();
    assert.deepEqual(values(ask(index, "db.default.svc.cluster.local", RRType.A)), [
      "10.244.1.5",
      "10.244.2.7",
      "10.244.3.9",
    ]);
    assert.deepEqual(values(ask(index, "db-1.db.default.svc.cluster.local", RRType.A)), [
      "10.244.2.7",
    ]);
    assert.deepEqual(values(ask(index, "10-244-3-9.db.default.svc.cluster.local", RRType.A)), [
      "10.244.3.9",
    ]);
    assert.equal(ask(index, "db-2.db.default.svc.cluster.local", RRType.A)?.rcode, Rcode.NXDomain);
  });

  it("answers SRV for named ports with targets and their addresses", () => {
    const index = cluster();
    const web = ask(index, "_http._tcp.web.default.svc.cluster.local", RRType.SRV);
    assert.deepEqual(values(web), ["0 100 80 web.default.svc.cluster.local"]);
    assert.deepEqual(
      web?.additionals.map((r) => r.type === "A" && `${r.name} ${r.address}`),
      ["web.default.svc.cluster.local 10.96.4.2"],
    );
    assert.deepEqual(values(ask(index, "web.default.svc.cluster.local", RRType.SRV)), [
      "0 50 80 web.default.svc.cluster.local",
      "0 50 9090 web.default.svc.cluster.local",
    ]);
    const db = ask(index, "_mysql._tcp.db.default.svc.cluster.local", RRType.SRV);
    assert.deepEqual(values(db), [
      "0 33 3306 10-244-3-9.db.default.svc.cluster.local",
      "0 33 3306 db-0.db.default.svc.cluster.local",
      "0 33 3306 db-1.db.default.svc.cluster.local",
    ]);
    assert.equal(db?.additionals.length, 3);
    assert.equal(
      ask(index, "_http._udp.web.default.svc.cluster.local", RRType.SRV)?.rcode,
      Rcode.NXDomain,
    );
    // an A question for the SRV name answers the service address, as CoreDNS does
    assert.deepEqual(values(ask(index, "_http._tcp.web.default.svc.cluster.local", RRType.A)), [
      "10.96.4.2",
    ]);
  });

  it("answers ExternalName with a CNAME to chase", () => {
    const a = ask(cluster(), "ext.default.svc.cluster.local", RRType.A);
    assert.deepEqual(values(a), ["db.example.com"]);
    assert.equal(a?.chase, "db.example.com");
    assert.deepEqual(values(ask(cluster(), "ext.default.svc.cluster.local", RRType.CNAME)), [
      "db.example.com",
    ]);
    const srv = ask(cluster(), "ext.default.svc.cluster.local", RRType.SRV);
    assert.equal(srv?.rcode, Rcode.NoError);
    assert.equal(srv?.answers.length, 0);
  });

  it("answers pod names by address when the namespace exists", () => {
    const index = cluster();
    assert.deepEqual(values(ask(index, "10-244-1-5.default.pod.cluster.local", RRType.A)), [
      "10.244.1.5",
    ]);
    assert.equal(ask(index, "10-244-1-5.nope.pod.cluster.local", RRType.A)?.rcode, Rcode.NXDomain);
    assert.equal(ask(index, "web.default.pod.cluster.local", RRType.A)?.rcode, Rcode.NXDomain);
  });

  it("answers PTR for service and endpoint addresses and leaves other addresses to upstream", () => {
    const index = cluster();
    assert.deepEqual(values(ask(index, "2.4.96.10.in-addr.arpa", RRType.PTR)), [
      "web.default.svc.cluster.local",
    ]);
    assert.deepEqual(values(ask(index, "5.1.244.10.in-addr.arpa", RRType.PTR)), [
      "db-0.db.default.svc.cluster.local",
    ]);
    assert.equal(ask(index, "8.8.8.8.in-addr.arpa", RRType.PTR), undefined);
    index.deleteService(svc("web", {}));
    assert.equal(ask(index, "2.4.96.10.in-addr.arpa", RRType.PTR), undefined);
  });

  it("follows changes: deleted slices and services disappear", () => {
    const index = cluster();
    index.deleteSlice(slice("db", []));
    assert.equal(ask(index, "db.default.svc.cluster.local", RRType.A)?.rcode, Rcode.NXDomain);
    index.deleteNamespace({ metadata: { name: "default" } });
    assert.equal(ask(index, "web.default.svc.cluster.local", RRType.A)?.rcode, Rcode.NXDomain);
  });

  it("serves the zone apex, its name server and the schema version", () => {
    const index = cluster();
    assert.deepEqual(values(ask(index, "cluster.local", RRType.SOA)), ["SOA"]);
    const ns = ask(index, "cluster.local", RRType.NS);
    assert.deepEqual(values(ns), ["NS"]);
    assert.equal(ns?.additionals.length, 1);
    assert.deepEqual(values(ask(index, "ns.dns.cluster.local", RRType.A)), ["10.96.0.10"]);
    const txt = ask(index, "dns-version.cluster.local", RRType.TXT)?.answers[0];
    assert.ok(txt?.type === "TXT" && txt.text[0] === "1.1.0");
  });
});
