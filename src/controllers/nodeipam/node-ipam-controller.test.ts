import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Node } from "../../api/generated/types.ts";
import { resourcePath, resources } from "../../client/resources.ts";
import { eventually } from "../../client/testing/test-api.ts";
import { type Harness, startControllers } from "../endpoints/testing/harness.ts";
import { nodeIpamControllerFactory } from "./node-ipam-controller.ts";

describe("node IPAM controller", () => {
  let h: Harness;
  before(async () => {
    h = await startControllers([nodeIpamControllerFactory], {
      settings: { clusterCIDR: "10.0.0.0/22", nodeCIDRMaskSize: 24 },
      setup: async (api) => {
        // A node that already holds the first subnet when the controller starts.
        await api.client.create(resourcePath(resources.nodes), {
          metadata: { name: "old" },
          spec: { podCIDR: "10.0.0.0/24", podCIDRs: ["10.0.0.0/24"] },
        });
      },
    });
  });
  after(() => h.stop());

  const c = () => h.api.client;
  const createNode = (name: string) =>
    c().create(resourcePath(resources.nodes), { metadata: { name } });
  const podCIDRs = (name: string) =>
    eventually(async () => {
      const node = await c().get<Node>(resourcePath(resources.nodes, "", name));
      return node.spec?.podCIDR ? node.spec : undefined;
    });

  it("assigns each new node its own subnet, never one already held", async () => {
    await Promise.all(["a", "b", "c"].map(createNode));
    const specs = await Promise.all(["a", "b", "c"].map(podCIDRs));
    const cidrs = specs.map((s) => s.podCIDR).sort();
    assert.deepEqual(cidrs, ["10.0.1.0/24", "10.0.2.0/24", "10.0.3.0/24"]);
    for (const s of specs) assert.deepEqual(s.podCIDRs, [s.podCIDR]);
  });

  it("reports exhaustion and reuses the subnet of a deleted node", async () => {
    await createNode("d");
    await eventually(async () => {
      const events = await c().get<{ items: Array<{ reason?: string }> }>(
        resourcePath(resources.events, "default"),
      );
      return events.items.some((e) => e.reason === "CIDRNotAvailable");
    });
    await c().delete(resourcePath(resources.nodes, "", "d"));
    const b = await podCIDRs("b");
    await c().delete(resourcePath(resources.nodes, "", "b"));
    await createNode("e");
    assert.equal((await podCIDRs("e")).podCIDR, b.podCIDR);
  });
});
