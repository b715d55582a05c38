import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Node } from "../../api/generated/types.ts";
import { FakeClock } from "../../machinery/clock.ts";
import type { RunCommand } from "../../machinery/exec.ts";
import { silentLogger } from "../../machinery/log.ts";
import { PodRoutes, routeNode } from "./pod-routes.ts";

const node = (name: string, podCIDR?: string, ip?: string): Node => ({
  metadata: { name },
  spec: podCIDR ? { podCIDR, podCIDRs: [podCIDR] } : {},
  status: ip ? { addresses: [{ type: "InternalIP", address: ip }] } : {},
});

/** `ip` as a fake: routes it holds, and a switch to make the next batch fail. */
function fakeIp() {
  const state = { routes: [] as Array<{ dst: string; gateway: string }>, fail: false };
  const batches: string[] = [];
  const run: RunCommand = async (_cmd, args, o) => {
    assert.equal(args.includes("-n"), false, "the agent routes in its own namespace");
    if (args.includes("show")) return { code: 0, stdout: JSON.stringify(state.routes), stderr: "" };
    if (state.fail) return { code: 2, stdout: "", stderr: "Nexthop has invalid gateway" };
    batches.push(o?.input ?? "");
    for (const line of (o?.input ?? "").trim().split("\n")) {
      const [, verb, dst, , via] = line.split(" ");
      state.routes = state.routes.filter((r) => r.dst !== dst);
      if (verb === "replace") state.routes.push({ dst: dst!, gateway: via! });
    }
    return { code: 0, stdout: "", stderr: "" };
  };
  return { run, state, batches };
}

describe("pod routes (host-gw, kept by the agent)", () => {
  it("takes a Node's InternalIP and pod CIDRs", () => {
    assert.deepEqual(routeNode(node("w1", "10.244.1.0/24", "10.1.1.1")), {
      name: "w1",
      ip: "10.1.1.1",
      podCIDRs: ["10.244.1.0/24"],
    });
    assert.equal(routeNode(node("w1", "10.244.1.0/24")).ip, "", "no address yet: no route");
  });

  it("routes to the other nodes' pod CIDRs, follows changes and retries a failed pass", async () => {
    const ip = fakeIp();
    const clock = new FakeClock();
    const routes = new PodRoutes({ nodeName: "m1", run: ip.run, clock, log: silentLogger });
    let nodes = [
      node("m1", "10.244.0.0/24", "172.31.0.11"),
      node("w1", "10.244.1.0/24", "172.31.0.12"),
      node("w2", undefined, "172.31.0.13"),
    ];
    routes.setNodes(() => nodes);
    assert.deepEqual(await routes.sync(), [
      "route replace 10.244.1.0/24 via 172.31.0.12 proto 176",
    ]);
    assert.deepEqual(await routes.sync(), [], "nothing to change");

    // w2 gets its CIDR, w1 leaves: one batch; the first attempt fails and is retried.
    nodes = [nodes[0]!, node("w2", "10.244.2.0/24", "172.31.0.13")];
    ip.state.fail = true;
    assert.deepEqual(await routes.sync(), []);
    ip.state.fail = false;
    clock.advance(2_000);
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(ip.state.routes, [{ dst: "10.244.2.0/24", gateway: "172.31.0.13" }]);
    assert.equal(
      ip.batches.at(-1),
      "route del 10.244.1.0/24 proto 176\nroute replace 10.244.2.0/24 via 172.31.0.13 proto 176\n",
    );
  });
});
