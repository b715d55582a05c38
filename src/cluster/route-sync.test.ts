import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Node } from "../api/generated/types.ts";
import { FakeClock } from "../machinery/clock.ts";
import { silentLogger } from "../machinery/log.ts";
import type { RunCommand } from "./exec.ts";
import { RouteSync, routeNode } from "./route-sync.ts";
import { clusterSpec } from "./spec.ts";

const spec = clusterSpec({
  name: "dev",
  masters: 1,
  workers: 2,
  runtime: "simulated",
  index: 0,
  baseDir: "/tmp/c",
  bosun: [],
  now: new Date(0),
});

const node = (name: string, podCIDR?: string, ip?: string): Node => ({
  metadata: { name },
  spec: podCIDR ? { podCIDR, podCIDRs: [podCIDR] } : {},
  status: ip ? { addresses: [{ type: "InternalIP", address: ip }] } : {},
});

function fakeIp() {
  const applied = new Map<string, string>();
  const run: RunCommand = async (_cmd, args, o) => {
    const ns = args[1]!;
    if (args.includes("show")) return { code: 0, stdout: "[]", stderr: "" };
    if (ns === "bosun-dev-worker2")
      return { code: 2, stdout: "", stderr: "Nexthop has invalid gateway" };
    applied.set(ns, o?.input ?? "");
    return { code: 0, stdout: "", stderr: "" };
  };
  return { run, applied };
}

describe("host-gw route sync", () => {
  it("takes a Node's InternalIP, else its LAN address, and ignores other clusters' nodes", () => {
    assert.deepEqual(routeNode(node("dev-worker1", "10.244.1.0/24"), spec.nodes), {
      name: "dev-worker1",
      ip: "172.31.0.12",
      podCIDRs: ["10.244.1.0/24"],
    });
    assert.equal(routeNode(node("dev-worker1", undefined, "10.1.1.1"), spec.nodes)?.ip, "10.1.1.1");
    assert.equal(routeNode(node("elsewhere"), spec.nodes), undefined);
  });

  it("routes each running node to the others' pod CIDRs, skips stopped ones, retries failures", async () => {
    const ip = fakeIp();
    const clock = new FakeClock();
    const sync = new RouteSync({
      nodes: spec.nodes,
      isRunning: (n) => n !== "dev-worker1",
      run: ip.run,
      clock,
      log: silentLogger,
    });
    sync.setNodes(() => [
      node("dev-master1", "10.244.0.0/24"),
      node("dev-worker1", "10.244.1.0/24"),
      node("dev-worker2", "10.244.2.0/24"),
    ]);
    const applied = await sync.sync();
    assert.deepEqual([...applied.keys()], ["dev-master1"]);
    assert.equal(
      ip.applied.get("bosun-dev-master1"),
      "route replace 10.244.1.0/24 via 172.31.0.12 dev eth0 proto 176\n" +
        "route replace 10.244.2.0/24 via 172.31.0.13 dev eth0 proto 176\n",
    );
    assert.equal(ip.applied.has("bosun-dev-worker1"), false, "a stopped node is left alone");
    // worker2 failed: a retry is scheduled.
    clock.advance(2_000);
    await new Promise((r) => setImmediate(r));
  });
});
