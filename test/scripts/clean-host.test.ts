/**
 * scripts/clean-host in a network namespace of its own, holding what a stopped node leaves: the
 * proxy's nftables table, the pod bridge and the portmap plugin's NAT chains, next to a NAT rule
 * that is not Bosun's (kept).
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";

const script = fileURLToPath(new URL("../../scripts/clean-host", import.meta.url));
const netns = `bosun-clean-${process.pid}`;

function inNs(cmd: string, args: readonly string[], env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync("ip", ["netns", "exec", netns, cmd, ...args], {
    encoding: "utf8",
    env: { ...process.env, ...env },
    timeout: 20_000,
  });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

function must(cmd: string, ...args: string[]): string {
  const r = inNs(cmd, args);
  assert.equal(r.code, 0, `${cmd} ${args.join(" ")}: ${r.out}`);
  return r.out;
}

describe("scripts/clean-host", () => {
  before(() => {
    assert.equal(spawnSync("ip", ["netns", "add", netns]).status, 0);
  });
  after(() => {
    spawnSync("ip", ["netns", "delete", netns]);
  });

  it("removes the proxy's table, the empty pod bridge and CNI's NAT chains, and keeps the rest", () => {
    must("nft", "add", "table", "ip", "bosun-proxy");
    must("ip", "link", "add", "cni0", "type", "bridge");
    must("iptables", "-t", "nat", "-N", "CNI-HOSTPORT-MASQ");
    must("iptables", "-t", "nat", "-A", "POSTROUTING", "-j", "CNI-HOSTPORT-MASQ");
    must("iptables", "-t", "nat", "-A", "POSTROUTING", "-s", "192.0.2.0/24", "-j", "MASQUERADE");

    const r = inNs(script, [], { CLEAN_HOST_ANY_PROCESSES: "1" });
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /removed nftables table ip bosun-proxy/);

    assert.doesNotMatch(must("nft", "list", "tables"), /bosun-proxy/);
    assert.notEqual(inNs("ip", ["link", "show", "cni0"]).code, 0);
    const nat = must("iptables-save", "-t", "nat");
    assert.doesNotMatch(nat, /CNI-/);
    assert.match(nat, /192\.0\.2\.0\/24 -j MASQUERADE/);

    const again = inNs(script, [], { CLEAN_HOST_ANY_PROCESSES: "1" });
    assert.equal(again.code, 0, again.out);
    assert.match(again.out, /nothing to remove/);
  });

  it("refuses while a bosun server runs, and removes nothing", () => {
    must("nft", "add", "table", "ip", "bosun-proxy");
    // A process whose command line reads like one (the check looks at every process on the host);
    // the script itself runs in the namespace, so that a broken check could not touch the host.
    const r = inNs("bash", [
      "-c",
      `exec -a "node bin/bosun.js server" sleep 5 & sleep 0.2; ${script}; echo "exit $?"; kill %1`,
    ]);
    assert.match(r.out, /still running/);
    assert.match(r.out, /exit 1/);
    assert.match(must("nft", "list", "tables"), /bosun-proxy/);
  });
});
