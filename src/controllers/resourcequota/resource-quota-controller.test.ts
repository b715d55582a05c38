/** The resource quota controller keeps status.hard and status.used, against an in-process API. */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { ResourceQuota } from "../../api/generated/types.ts";
import type { KubeObject } from "../../api/object.ts";
import { resourcePath, resources } from "../../client/resources.ts";
import { eventually } from "../../client/testing/test-api.ts";
import { type ControllerHarness, startControllers } from "../common/testing.ts";
import { ResourceQuotaController } from "./resource-quota-controller.ts";

const ns = "default";
let h: ControllerHarness;

const used = async (name: string) =>
  (await h.client.get<ResourceQuota & KubeObject>(resourcePath(resources.resourcequotas, ns, name)))
    .status?.used;

function pod(name: string, cpu: string, phase?: string) {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name },
    spec: {
      containers: [
        { name: "c", image: "busybox", resources: { requests: { cpu }, limits: { cpu } } },
      ],
    },
    ...(phase ? { status: { phase } } : {}),
  };
}

describe("resource quota controller", () => {
  before(async () => {
    h = await startControllers({ create: [(ctx) => new ResourceQuotaController(ctx)] });
  });
  after(() => h.stop());

  it("reports what the namespace uses of each limited name, and follows changes", async () => {
    await h.client.create(resourcePath(resources.resourcequotas, ns), {
      apiVersion: "v1",
      kind: "ResourceQuota",
      metadata: { name: "team" },
      spec: {
        hard: {
          pods: "5",
          "requests.cpu": "2",
          configmaps: "10",
          "count/deployments.apps": "3",
        },
      },
    });
    await eventually(async () => (await used("team"))?.pods === "0");
    assert.deepEqual(await used("team"), {
      pods: "0",
      "requests.cpu": "0",
      configmaps: "0",
      "count/deployments.apps": "0",
    });
    await h.client.create(resourcePath(resources.pods, ns), pod("a", "250m"));
    await h.client.create(resourcePath(resources.pods, ns), pod("b", "500m"));
    await h.client.create(resourcePath(resources.configmaps, ns), {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "settings" },
    });
    await eventually(async () => (await used("team"))?.["requests.cpu"] === "750m");
    const u = await used("team");
    assert.equal(u?.pods, "2");
    assert.equal(u?.configmaps, "1");
    const q = await h.client.get<ResourceQuota & KubeObject>(
      resourcePath(resources.resourcequotas, ns, "team"),
    );
    assert.deepEqual(q.status?.hard, q.spec?.hard);

    // A finished pod no longer counts; a deleted one neither.
    await h.client.patch(resourcePath(resources.pods, ns, "a", "status"), "merge", {
      status: { phase: "Succeeded" },
    });
    await h.client.delete(resourcePath(resources.pods, ns, "b"));
    await eventually(async () => (await used("team"))?.pods === "0");
    assert.equal((await used("team"))?.["requests.cpu"], "0");
  });
});
