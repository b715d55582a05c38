import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { buildRuleset } from "./build-ruleset.ts";
import { nodeState, service, slice } from "./testing/fixtures.ts";
import { parseTableListing, reassertText, transactionText } from "./transaction.ts";

const node = nodeState("n9");
const eps = (n: number) =>
  Array.from({ length: n }, (_, i) => ({ ip: `10.244.${i + 1}.5`, node: `n${i + 1}` }));
const web = (extra = {}) => service("web", { clusterIP: "10.96.0.40", ...extra });
const api = service("api", { clusterIP: "10.96.0.41" });
const lines = (s: string | undefined) => (s ?? "").split("\n").filter(Boolean);

describe("transactionText", () => {
  const before = buildRuleset([web(), api], [slice("web", eps(2)), slice("api", eps(1))], node);

  it("is empty when nothing changed", () => {
    const same = buildRuleset([api, web()], [slice("api", eps(1)), slice("web", eps(2))], node);
    assert.equal(transactionText(before, same), "");
  });

  it("touches only the chains of the service whose endpoints changed", () => {
    const after = buildRuleset([web(), api], [slice("web", eps(3)), slice("api", eps(1))], node);
    const script = lines(transactionText(before, after));
    assert.equal(script[0], "add table ip bosun-proxy");
    const flushed = script.filter((l) => l.startsWith("flush chain"));
    assert.equal(flushed.length, 1);
    assert.match(flushed[0]!, /service-\w+-default\/web\/tcp\/http$/);
    assert.equal(script.filter((l) => l.startsWith("add chain")).length, 1);
    assert.ok(!script.some((l) => l.includes("/api/")), "api is untouched");
    assert.ok(!script.some((l) => l.startsWith("delete")));
  });

  it("removes a deleted service's elements before its chains", () => {
    const after = buildRuleset([web()], [slice("web", eps(2))], node);
    const script = lines(transactionText(before, after));
    const delElement = script.findIndex((l) =>
      l.startsWith("delete element ip bosun-proxy service-ips"),
    );
    const flush = script.findIndex((l) => /^flush chain .*\/api\//.test(l));
    const del = script.findIndex((l) => /^delete chain .*\/api\//.test(l));
    assert.ok(delElement >= 0 && flush > delElement && del > flush, script.join("\n"));
    assert.ok(script.some((l) => l === "delete element ip bosun-proxy cluster-ips { 10.96.0.41 }"));
  });

  it("keeps existing affinity sets and makes a new one when the timeout changes", () => {
    const sticky = (t: number) =>
      web({
        sessionAffinity: "ClientIP",
        sessionAffinityConfig: { clientIP: { timeoutSeconds: t } },
      });
    const a = buildRuleset([sticky(60)], [slice("web", eps(2))], node);
    const b = buildRuleset([sticky(60)], [slice("web", eps(3))], node);
    const grow = lines(transactionText(a, b));
    assert.equal(grow.filter((l) => l.startsWith("add set")).length, 1, "only the new endpoint's");
    assert.ok(!grow.some((l) => l.startsWith("flush set") || l.startsWith("delete set")));
    const c = buildRuleset([sticky(30)], [slice("web", eps(3))], node);
    const retime = lines(transactionText(b, c));
    assert.equal(retime.filter((l) => l.startsWith("add set")).length, 3);
    assert.equal(retime.filter((l) => l.startsWith("delete set")).length, 3);
    assert.ok(retime.some((l) => l.includes("timeout 30s")));
  });

  it("asks for a full sync when a base chain would change", () => {
    const other = buildRuleset([web()], [], node);
    other.chains.set("nat-output", {
      name: "nat-output",
      base: { type: "nat", hook: "output", priority: -99 },
      rules: ["jump services"],
    });
    assert.equal(transactionText(before, other), undefined);
  });
});

describe("reassertText", () => {
  it("refills everything, keeps dynamic sets and deletes what is not wanted", () => {
    const rs = buildRuleset([web({ sessionAffinity: "ClientIP" })], [slice("web", eps(1))], node);
    const script = lines(
      reassertText(rs, { chains: ["stale-chain", "services"], sets: ["old-set"], maps: [] }),
    );
    assert.ok(script.some((l) => /^add set .* affinity-/.test(l)));
    assert.ok(!script.some((l) => /^flush set .* affinity-/.test(l)), "affinity survives");
    assert.ok(script.includes("flush set ip bosun-proxy cluster-ips"));
    assert.ok(script.includes("flush map ip bosun-proxy service-ips"));
    assert.deepEqual(script.slice(-3), [
      "flush chain ip bosun-proxy stale-chain",
      "delete chain ip bosun-proxy stale-chain",
      "delete set ip bosun-proxy old-set",
    ]);
  });

  it("parses a terse listing", () => {
    const listing = [
      "table ip bosun-proxy {",
      "\tset cluster-ips {",
      "\t\ttype ipv4_addr",
      "\t}",
      "\tmap service-ips {",
      "\t}",
      "\tchain service-ABC-default/web/tcp/http {",
      "\t}",
      "}",
    ].join("\n");
    assert.deepEqual(parseTableListing(listing), {
      chains: ["service-ABC-default/web/tcp/http"],
      sets: ["cluster-ips"],
      maps: ["service-ips"],
    });
  });
});
