import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { CommandResult, RunCommand } from "../machinery/exec.ts";
import {
  createNetwork,
  deleteNetwork,
  hostNatRuleset,
  networkPlan,
  prefixesOverlap,
  runBatch,
} from "./network.ts";
import { clusterSpec } from "./spec.ts";

const spec = clusterSpec({
  name: "dev",
  masters: 1,
  workers: 1,
  runtime: "simulated",
  index: 0,
  baseDir: "/tmp/c",
  bosun: ["node", "bosun.js"],
  now: new Date(0),
});

function recorder(results: Record<string, Partial<CommandResult>> = {}) {
  const calls: { line: string; input?: string }[] = [];
  const run: RunCommand = async (cmd, args, options) => {
    const line = [cmd, ...args].join(" ");
    calls.push({ line, ...(options?.input ? { input: options.input } : {}) });
    return { code: 0, stdout: "", stderr: "", ...results[line] };
  };
  return { calls, run };
}

describe("node LAN", () => {
  it("plans the bridge in its own netns and eth0 created inside each node", () => {
    const plan = networkPlan(spec);
    assert.deepEqual(plan.host.lines, [
      "netns add bosun-dev-lan",
      "netns add bosun-dev-master1",
      "netns add bosun-dev-worker1",
      "link add bosun-lan0 type veth peer name uplink netns bosun-dev-lan",
      "addr add 172.31.0.1/24 dev bosun-lan0",
      "link set bosun-lan0 up",
    ]);
    assert.equal(plan.lan.netns, "bosun-dev-lan");
    assert.ok(
      plan.lan.lines.includes("link add n2 type veth peer name eth0 netns bosun-dev-worker1"),
    );
    assert.ok(plan.lan.lines.includes("link set n2 master br0"));
    assert.deepEqual(plan.nodes[1], {
      netns: "bosun-dev-worker1",
      lines: [
        "link set lo up",
        "addr add 172.31.0.12/24 dev eth0",
        "link set eth0 up",
        "route add default via 172.31.0.1",
      ],
    });
  });

  it("runs a batch through one ip process in the namespace", async () => {
    const r = recorder();
    await runBatch(r.run, { netns: "ns1", lines: ["link set lo up", "link set eth0 up"] });
    assert.deepEqual(r.calls, [
      { line: "ip -n ns1 -batch -", input: "link set lo up\nlink set eth0 up\n" },
    ]);
  });

  it("names the missing kernel feature when veth pairs cannot be made", async () => {
    const r = recorder({
      "ip -batch -": { code: 2, stderr: "Error: Unknown device type.\nCommand failed -:3\n" },
    });
    await assert.rejects(runBatch(r.run, { lines: ["link add a type veth"] }), /CONFIG_VETH/);
  });

  it("deletes namespaces and the host link, tolerating parts already gone", async () => {
    // The host link can vanish on its own once the LAN namespace is gone (it is a veth's peer).
    const r = recorder({
      "ip netns delete bosun-dev-master1": {
        code: 1,
        stderr:
          'Cannot remove namespace file "/run/netns/bosun-dev-master1": No such file or directory',
      },
      "ip link delete bosun-lan0": { code: 1, stderr: 'Cannot find device "bosun-lan0"' },
      "nft delete table ip bosun-dev-lan": {
        code: 1,
        stderr: "Error: Could not process rule: No such file or directory",
      },
    });
    await deleteNetwork(r.run, spec);
    assert.deepEqual(
      r.calls.map((c) => c.line),
      [
        "ip netns delete bosun-dev-master1",
        "ip netns delete bosun-dev-worker1",
        "ip netns delete bosun-dev-lan",
        "ip link delete bosun-lan0",
        "nft delete table ip bosun-dev-lan",
      ],
    );
  });

  it("masquerades the LAN leaving the host, in a table of the cluster's own", async () => {
    assert.equal(
      hostNatRuleset(spec),
      `table ip bosun-dev-lan
delete table ip bosun-dev-lan
table ip bosun-dev-lan {
  chain postrouting {
    type nat hook postrouting priority srcnat; policy accept;
    ip saddr 172.31.0.0/24 oifname != "bosun-lan0" masquerade comment "cluster LAN leaving the host"
  }
}
`,
    );
    const r = recorder();
    await createNetwork(r.run, spec);
    assert.deepEqual(r.calls.at(-1), { line: "nft -f -", input: hostNatRuleset(spec) });
  });

  it("tells overlapping IPv4 prefixes apart", () => {
    assert.equal(prefixesOverlap("172.31.0.0/24", "172.31.0.0/24"), true);
    assert.equal(prefixesOverlap("172.16.0.0/12", "172.31.5.0/24"), true);
    assert.equal(prefixesOverlap("172.31.5.7", "172.31.5.0/24"), true);
    assert.equal(prefixesOverlap("172.31.4.0/24", "172.31.5.0/24"), false);
    assert.equal(prefixesOverlap("10.0.0.0/8", "172.31.0.0/24"), false);
    assert.equal(prefixesOverlap("0.0.0.0/0", "172.31.0.0/24"), true);
  });
});
