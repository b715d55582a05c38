import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Pod } from "../api/generated/types.ts";
import { parseResolvConf } from "../machinery/resolv-conf.ts";
import { formatResolvConf, type NodeDnsSettings, podDnsConfig } from "./dns-config.ts";

const host = parseResolvConf(
  "# host\nnameserver 192.168.1.1\nnameserver 192.168.1.2\nsearch corp.example. lab.example\noptions edns0 timeout:2\n",
);
const node: NodeDnsSettings = {
  clusterDNS: ["10.96.0.10"],
  clusterDomain: "cluster.local",
  hostResolvConf: host,
};

const pod = (spec: Partial<NonNullable<Pod["spec"]>> = {}, namespace = "shop"): Pod => ({
  metadata: { name: "p", namespace, uid: "u1" },
  spec: { containers: [{ name: "c" }], ...spec },
});

describe("pod DNS configuration", () => {
  it("ClusterFirst: cluster DNS, cluster then host searches, ndots:5", () => {
    const r = podDnsConfig(pod(), node);
    assert.deepEqual(r.config, {
      servers: ["10.96.0.10"],
      searches: [
        "shop.svc.cluster.local",
        "svc.cluster.local",
        "cluster.local",
        "corp.example",
        "lab.example",
      ],
      options: ["ndots:5"],
    });
    assert.deepEqual(r.warnings, []);
    assert.equal(
      formatResolvConf(r.config),
      "nameserver 10.96.0.10\nsearch shop.svc.cluster.local svc.cluster.local cluster.local corp.example lab.example\noptions ndots:5\n",
    );
  });

  it("ClusterFirst with hostNetwork behaves as Default; ClusterFirstWithHostNet does not", () => {
    const hostNet = podDnsConfig(pod({ hostNetwork: true }), node).config;
    assert.deepEqual(hostNet, {
      servers: ["192.168.1.1", "192.168.1.2"],
      searches: ["corp.example", "lab.example"],
      options: ["edns0", "timeout:2"],
    });
    const withHostNet = podDnsConfig(
      pod({ hostNetwork: true, dnsPolicy: "ClusterFirstWithHostNet" }),
      node,
    ).config;
    assert.deepEqual(withHostNet.servers, ["10.96.0.10"]);
    assert.deepEqual(podDnsConfig(pod({ dnsPolicy: "Default" }), node).config, hostNet);
  });

  it("None uses dnsConfig alone; dnsConfig merges into the others", () => {
    const none = podDnsConfig(
      pod({
        dnsPolicy: "None",
        dnsConfig: {
          nameservers: ["1.1.1.1"],
          searches: ["a.example"],
          options: [{ name: "ndots", value: "2" }, { name: "edns0" }],
        },
      }),
      node,
    ).config;
    assert.deepEqual(none, {
      servers: ["1.1.1.1"],
      searches: ["a.example"],
      options: ["ndots:2", "edns0"],
    });
    const merged = podDnsConfig(
      pod({
        dnsConfig: {
          nameservers: ["10.96.0.10", "9.9.9.9"],
          searches: ["cluster.local", "extra.example"],
          options: [{ name: "ndots", value: "1" }, { name: "single-request-reopen" }],
        },
      }),
      node,
    ).config;
    assert.deepEqual(merged.servers, ["10.96.0.10", "9.9.9.9"]);
    assert.equal(merged.searches.at(-1), "extra.example");
    assert.equal(merged.searches.filter((s) => s === "cluster.local").length, 1);
    assert.deepEqual(merged.options, ["ndots:1", "single-request-reopen"]);
  });

  it("falls back to Default with a warning when no cluster DNS is configured", () => {
    const r = podDnsConfig(pod(), { ...node, clusterDNS: [] });
    assert.deepEqual(r.config.servers, ["192.168.1.1", "192.168.1.2"]);
    assert.match(r.warnings[0]!, /cannot create Pod using "ClusterFirst" policy/);
  });

  it("without a host resolv.conf, Default points at the loopback", () => {
    const r = podDnsConfig(pod({ dnsPolicy: "Default" }), {
      ...node,
      hostResolvConf: undefined,
      nodeIPs: ["10.0.0.5"],
    });
    assert.deepEqual(r.config, { servers: ["127.0.0.1"], searches: ["."], options: [] });
  });

  it("keeps to upstream's limits: 3 nameservers, 32 searches, 2048 characters", () => {
    const r = podDnsConfig(
      pod({
        dnsConfig: {
          nameservers: ["1.1.1.1", "8.8.8.8", "9.9.9.9"],
          searches: Array.from({ length: 40 }, (_, i) => `s${i}.example`),
        },
      }),
      node,
    );
    assert.deepEqual(r.config.servers, ["10.96.0.10", "1.1.1.1", "8.8.8.8"]);
    assert.equal(r.config.searches.length, 32);
    assert.equal(r.warnings.length, 2);
    assert.match(r.warnings[0]!, /^Nameserver limits were exceeded/);
    assert.match(r.warnings[1]!, /^Search Line limits were exceeded/);

    const long = Array.from(
      { length: 20 },
      (_, i) => `${String(i).padStart(3, "0")}${"x".repeat(150)}.example`,
    );
    const chars = podDnsConfig(pod({ dnsPolicy: "None", dnsConfig: { searches: long } }), node);
    assert.ok(chars.config.searches.join(" ").length <= 2048);
    assert.equal(chars.config.searches.length, 12); // 12 × 161 + 11 spaces = 1943
    const tooLong = podDnsConfig(
      pod({
        dnsPolicy: "None",
        dnsConfig: { searches: ["ok.example", `${"a".repeat(250)}.example`] },
      }),
      node,
    );
    assert.deepEqual(tooLong.config.searches, ["ok.example"]);
  });
});
