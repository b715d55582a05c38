import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import type { Node, Pod } from "../../api/generated/types.ts";
import { resourcePath, resources } from "../../client/resources.ts";
import type { RestClient } from "../../client/rest-client.ts";
import { eventually } from "../../client/testing/test-api.ts";
import { FakeClock } from "../../machinery/clock.ts";
import { isStatusError } from "../../machinery/status.ts";
import { type Harness, startControllers } from "../endpoints/testing/harness.ts";
import { gcCheckPeriodMs, podGCControllerFactory, quarantineMs } from "./pod-gc-controller.ts";

const clock = new FakeClock();
const podPath = (name = "") => resourcePath(resources.pods, "default", name);

async function createPod(
  c: RestClient,
  name: string,
  options: { node?: string; phase?: string; finalizers?: string[] } = {},
): Promise<void> {
  await c.create(podPath(), {
    metadata: { name, ...(options.finalizers ? { finalizers: options.finalizers } : {}) },
    spec: {
      ...(options.node ? { nodeName: options.node } : {}),
      containers: [{ name: "c", image: "nginx" }],
    },
  });
  if (options.phase) {
    await c.patch(resourcePath(resources.pods, "default", name, "status"), "merge", {
      status: { phase: options.phase },
    });
  }
}

const gone = (c: RestClient, name: string) =>
  c.get<Pod>(podPath(name)).then(
    () => false,
    (err) => isStatusError(err, "NotFound"),
  );

describe("pod garbage collector", () => {
  let h: Harness;
  const c = () => h.api.client;
  /** Runs one collection pass (the clock reaches the next check) and lets it finish. */
  const pass = async () => {
    clock.advance(gcCheckPeriodMs);
    await sleep(300);
  };

  before(async () => {
    h = await startControllers([podGCControllerFactory], {
      clock,
      settings: { terminatedPodGCThreshold: 2 },
      setup: async (api) => {
        const client = api.client;
        await client.create(resourcePath(resources.nodes), { metadata: { name: "live" } });
        await client.create(resourcePath(resources.nodes), {
          metadata: { name: "shut-down" },
          spec: { taints: [{ key: "node.kubernetes.io/out-of-service", effect: "NoExecute" }] },
        });
        await client.patch<Node>(
          resourcePath(resources.nodes, "", "shut-down", "status"),
          "merge",
          {
            status: { conditions: [{ type: "Ready", status: "False" }] },
          },
        );
        await createPod(client, "running", { node: "live", phase: "Running" });
        await createPod(client, "orphan", {
          node: "vanished",
          phase: "Running",
          finalizers: ["test/keep"],
        });
        for (const name of ["done-1", "done-2", "done-3"]) {
          await createPod(client, name, { node: "live", phase: "Succeeded" });
        }
        await createPod(client, "stuck", { node: "shut-down", phase: "Running" });
        await client.delete(podPath("stuck"));
      },
    });
  });
  after(() => h?.stop());

  it("keeps terminated pods down to the threshold", async () => {
    await pass();
    const left = await Promise.all(["done-1", "done-2", "done-3"].map((n) => gone(c(), n)));
    assert.equal(left.filter(Boolean).length, 1);
    assert.equal(await gone(c(), "running"), false);
  });

  it("force-deletes terminating pods of an out-of-service node", async () => {
    await eventually(() => gone(c(), "stuck"));
  });

  it("marks an orphan Failed and deletes it once its node stays missing for the quarantine", async () => {
    const before = await c().get<Pod>(podPath("orphan"));
    assert.equal(before.metadata?.deletionTimestamp, undefined, "quarantined, not deleted yet");
    for (let waited = 0; waited <= quarantineMs; waited += gcCheckPeriodMs) await pass();
    const pod = await eventually(async () => {
      const p = await c().get<Pod>(podPath("orphan"));
      return p.metadata?.deletionTimestamp !== undefined && p;
    });
    assert.equal(pod.status?.phase, "Failed");
    const condition = pod.status?.conditions?.find((x) => x.type === "DisruptionTarget");
    assert.equal(condition?.reason, "DeletionByPodGC");
    assert.equal(condition?.message, "PodGC: node no longer exists");
    assert.equal(await gone(c(), "running"), false);
  });
});
