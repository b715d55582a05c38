/**
 * The ruleset as a pure function, compared with golden files in testdata/ (regenerate with
 * UPDATE_GOLDEN=1 after checking the diff), plus behaviour checks that read the structure.
 */
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { describe, it } from "node:test";
import { buildRuleset, renderRuleset } from "./build-ruleset.ts";
import type { Ruleset } from "./ruleset.ts";
import { nodeState, scenarios, service, slice } from "./testing/fixtures.ts";

const golden = (name: string) => new URL(`./testdata/${name}.nft`, import.meta.url);

describe("renderRuleset golden files", () => {
  for (const s of scenarios) {
    it(s.name, () => {
      const text = renderRuleset(s.services, s.slices, s.node);
      if (process.env.UPDATE_GOLDEN) writeFileSync(golden(s.name), text);
      assert.equal(text, readFileSync(golden(s.name), "utf8"));
    });
  }
});

/** The endpoint IPs a chain's `numgen` picks from, following endpoint chains' DNAT. */
function targets(rs: Ruleset, chain: string): string[] {
  const rules = rs.chains.get(chain)?.rules ?? [];
  const pick = rules.find((r) => r.startsWith("numgen"));
  if (!pick) return [];
  const chains = [...pick.matchAll(/goto (\S+?)[,\s}]/g)].map((m) => m[1]!);
  return chains.map((c) => {
    const dnat = rs.chains.get(c)?.rules.find((r) => r.includes("dnat to"));
    return dnat?.split("dnat to ")[1]?.split(":")[0] ?? "?";
  });
}

const vip = (rs: Ruleset, key: string) =>
  rs.maps.get("service-ips")?.elements.get(key)?.replace("goto ", "");

describe("buildRuleset behaviour", () => {
  const eps = [
    { ip: "10.244.1.5", node: "n1" },
    { ip: "10.244.1.6", node: "n1" },
    { ip: "10.244.2.5", node: "n2" },
  ];
  const svc = (extra = {}) => service("web", { clusterIP: "10.96.0.50", ...extra });

  it("prefers this node's ready endpoints by default and spreads from other nodes", () => {
    const here = buildRuleset([svc()], [slice("web", eps)], nodeState("n1"));
    assert.deepEqual(targets(here, vip(here, "10.96.0.50 . tcp . 80")!), [
      "10.244.1.5",
      "10.244.1.6",
    ]);
    const there = buildRuleset([svc()], [slice("web", eps)], nodeState("n3"));
    assert.deepEqual(targets(there, vip(there, "10.96.0.50 . tcp . 80")!), [
      "10.244.1.5",
      "10.244.1.6",
      "10.244.2.5",
    ]);
  });

  it("ignores a local endpoint that is not ready", () => {
    const notReady = [{ ip: "10.244.1.5", node: "n1", ready: false }, eps[2]!];
    const rs = buildRuleset([svc()], [slice("web", notReady)], nodeState("n1"));
    assert.deepEqual(targets(rs, vip(rs, "10.96.0.50 . tcp . 80")!), ["10.244.2.5"]);
  });

  it("PreferSameZone picks the node's zone", () => {
    const zoned = [
      { ip: "10.244.1.5", node: "n1", zone: "a" },
      { ip: "10.244.2.5", node: "n2", zone: "b" },
      { ip: "10.244.3.5", node: "n3", zone: "b" },
    ];
    const rs = buildRuleset(
      [svc({ trafficDistribution: "PreferSameZone" })],
      [slice("web", zoned)],
      nodeState("n4", { zone: "b" }),
    );
    assert.deepEqual(targets(rs, vip(rs, "10.96.0.50 . tcp . 80")!), ["10.244.2.5", "10.244.3.5"]);
  });

  it("uses serving terminating endpoints only when nothing is ready", () => {
    const mixed = [
      { ip: "10.244.1.5", node: "n1", ready: false, serving: true, terminating: true },
      { ip: "10.244.2.5", node: "n2" },
    ];
    const rs = buildRuleset([svc()], [slice("web", mixed)], nodeState("n3"));
    assert.deepEqual(targets(rs, vip(rs, "10.96.0.50 . tcp . 80")!), ["10.244.2.5"]);
  });

  it("internalTrafficPolicy Local drops (not rejects) on a node without local endpoints", () => {
    const rs = buildRuleset(
      [svc({ internalTrafficPolicy: "Local" })],
      [slice("web", [eps[2]!])],
      nodeState("n1"),
    );
    assert.equal(vip(rs, "10.96.0.50 . tcp . 80"), undefined);
    assert.equal(
      rs.maps.get("no-endpoint-services")?.elements.get("10.96.0.50 . tcp . 80"),
      "drop",
    );
  });

  it("skips headless, ExternalName and foreign-proxy services, and other families", () => {
    const rs = buildRuleset(
      [
        service("headless", { clusterIP: "None" }),
        service("ext", { type: "ExternalName", externalName: "example.com" }),
        {
          ...svc(),
          metadata: {
            name: "x",
            namespace: "default",
            labels: { "service.kubernetes.io/service-proxy-name": "other" },
          },
        },
        service("v6", { clusterIP: "fd00::10" }),
      ],
      [],
      nodeState("n1"),
    );
    assert.equal(rs.maps.get("service-ips")?.elements.size, 0);
    assert.equal(rs.maps.get("no-endpoint-services")?.elements.size, 0);
  });

  it("renders IPv6 services into an ip6 table", () => {
    const v6 = service("v6", { clusterIP: "fd00::10" });
    const s = slice("v6", [{ ip: "fd00:244::5", node: "n1" }]);
    const text = renderRuleset(
      [v6],
      [{ ...s, addressType: "IPv6" }],
      nodeState("n1", { podCIDRs: ["fd00:244::/56"] }),
      {
        family: "ip6",
      },
    );
    assert.match(text, /table ip6 bosun-proxy/);
    assert.match(text, /dnat to \[fd00:244::5\]:8080/);
    assert.match(text, /fd00::10 \. tcp \. 80 : goto service-/);
  });

  it("masquerades pod traffic leaving the pod network only when the cluster CIDRs are known", () => {
    const postrouting = (node: Parameters<typeof buildRuleset>[2], family?: "ip" | "ip6") =>
      buildRuleset([], [], node, family ? { family } : {}).chains.get("nat-postrouting")!.rules;
    assert.deepEqual(postrouting(nodeState("n1")), ["jump masquerading"]);
    const both = nodeState("n1", { clusterCIDRs: ["10.244.0.0/16", "fd00:244::/48"] });
    assert.deepEqual(postrouting(both).slice(1), [
      'ip saddr 10.244.0.0/16 ip daddr != 10.244.0.0/16 ip daddr != 224.0.0.0/4 masquerade fully-random comment "pod traffic leaving the pod network"',
    ]);
    assert.match(
      postrouting(both, "ip6")[1]!,
      /^ip6 saddr fd00:244::\/48 ip6 daddr != fd00:244::\/48 /,
    );
  });

  it("is deterministic whatever the input order", () => {
    const a = renderRuleset(
      [svc(), service("b", { clusterIP: "10.96.0.51" })],
      [slice("web", eps)],
      nodeState("n3"),
    );
    const b = renderRuleset(
      [service("b", { clusterIP: "10.96.0.51" }), svc()],
      [slice("web", [...eps].reverse())],
      nodeState("n3"),
    );
    assert.equal(a, b);
  });
});
