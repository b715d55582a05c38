import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { RunCommand } from "../../machinery/exec.ts";
import { hostGwRoutes, routeChanges, syncHostGwRoutes } from "./host-gw.ts";

const nodes = [
  { name: "a", ip: "172.31.0.11", podCIDRs: ["10.244.0.0/24"] },
  { name: "b", ip: "172.31.0.12", podCIDRs: ["10.244.1.0/24", "fd00:10:244:1::/64"] },
  { name: "c", ip: "172.31.0.13", podCIDRs: [] },
];

describe("host-gw routes", () => {
  it("routes every other node's IPv4 pod CIDR via its address", () => {
    assert.deepEqual(hostGwRoutes(nodes, "a"), [{ dst: "10.244.1.0/24", via: "172.31.0.12" }]);
    assert.deepEqual(hostGwRoutes(nodes, "c"), [
      { dst: "10.244.0.0/24", via: "172.31.0.11" },
      { dst: "10.244.1.0/24", via: "172.31.0.12" },
    ]);
  });

  it("changes only what differs, in routes it owns", () => {
    const current = [
      { dst: "10.244.0.0/24", via: "172.31.0.11" },
      { dst: "10.244.9.0/24", via: "172.31.0.19" },
    ];
    const desired = [
      { dst: "10.244.0.0/24", via: "172.31.0.11" },
      { dst: "10.244.1.0/24", via: "172.31.0.12" },
    ];
    assert.deepEqual(routeChanges(current, desired), [
      "route del 10.244.9.0/24 proto 176",
      "route replace 10.244.1.0/24 via 172.31.0.12 proto 176",
    ]);
    assert.deepEqual(routeChanges(desired, desired), []);
  });

  it("reads the node's routes of its protocol and applies the difference in one batch", async () => {
    const calls: string[] = [];
    const run: RunCommand = async (cmd, args, o) => {
      calls.push([cmd, ...args].join(" ") + (o?.input ? ` <<${o.input.trim()}` : ""));
      const stdout = args.includes("show")
        ? JSON.stringify([{ dst: "10.244.7.0/24", gateway: "172.31.0.17" }])
        : "";
      return { code: 0, stdout, stderr: "" };
    };
    const applied = await syncHostGwRoutes(run, hostGwRoutes(nodes, "a"), "bosun-x");
    assert.equal(applied.length, 2);
    assert.deepEqual(calls, [
      "ip -n bosun-x -j route show proto 176",
      "ip -n bosun-x -batch - <<route del 10.244.7.0/24 proto 176\nroute replace 10.244.1.0/24 via 172.31.0.12 proto 176",
    ]);
    // An agent syncs its own namespace: no -n.
    calls.length = 0;
    await syncHostGwRoutes(run, hostGwRoutes(nodes, "a"));
    assert.equal(calls[0], "ip -j route show proto 176");
  });
});
