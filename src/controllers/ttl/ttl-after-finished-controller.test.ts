import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Job } from "../../api/generated/types.ts";
import type { KubeObject } from "../../api/object.ts";
import { resourcePath, resources } from "../../client/resources.ts";
import { eventually } from "../../client/testing/test-api.ts";
import { getOrUndefined, type Harness, startControllers } from "../job/test-harness.ts";
import { ttlAfterFinishedControllerFactory } from "./ttl-after-finished-controller.ts";

type JobObj = Job & KubeObject;
const ns = "default";
let h: Harness;

async function createJob(name: string, ttl: number | undefined): Promise<void> {
  await h.client.create(resourcePath(resources.jobs, ns), {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: { name },
    spec: {
      ...(ttl === undefined ? {} : { ttlSecondsAfterFinished: ttl }),
      template: { spec: { restartPolicy: "Never", containers: [{ name: "c", image: "busybox" }] } },
    },
  });
}

/** Marks the Job finished now, as the Job controller would. */
async function finish(name: string, type: "Complete" | "Failed"): Promise<void> {
  const now = new Date(h.clock.now()).toISOString().replace(/\.\d+Z$/, "Z");
  await h.client.patch(resourcePath(resources.jobs, ns, name, "status"), "merge", {
    status: {
      startTime: now,
      conditions: [{ type, status: "True", lastProbeTime: now, lastTransitionTime: now }],
    },
  });
}

const exists = async (name: string) =>
  (await getOrUndefined<JobObj>(h.client, resources.jobs, ns, name)) !== undefined;
const settle = () => new Promise((r) => setTimeout(r, 150));

describe("ttl-after-finished controller", () => {
  before(async () => {
    h = await startControllers([ttlAfterFinishedControllerFactory]);
  });
  after(() => h.stop());

  it("deletes a finished Job when its TTL runs out", async () => {
    await createJob("short", 60);
    await createJob("keep", undefined);
    await finish("short", "Complete");
    await finish("keep", "Complete");
    await settle();
    h.clock.advance(59_000);
    await settle();
    assert.ok(await exists("short"));
    h.clock.advance(1_000);
    await eventually(async () => !(await exists("short")));
    assert.ok(await exists("keep"));
  });

  it("deletes at once with a TTL of zero, failed Jobs too", async () => {
    await createJob("zero", 0);
    await finish("zero", "Failed");
    await eventually(async () => !(await exists("zero")));
  });

  it("leaves unfinished Jobs alone and honours a TTL raised before expiry", async () => {
    await createJob("running", 1);
    await createJob("raised", 10);
    await finish("raised", "Complete");
    await settle();
    await h.client.patch(resourcePath(resources.jobs, ns, "raised"), "merge", {
      spec: { ttlSecondsAfterFinished: 100 },
    });
    await settle();
    h.clock.advance(20_000);
    await settle();
    assert.ok(await exists("raised"));
    assert.ok(await exists("running"));
    h.clock.advance(80_000);
    await eventually(async () => !(await exists("raised")));
    assert.ok(await exists("running"));
  });
});
