import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { EndpointSliceList, Pod } from "../../api/generated/types.ts";
import { resourcePath, resources } from "../../client/resources.ts";
import { eventually } from "../../client/testing/test-api.ts";
import { type Harness, inParallel, startControllers } from "../endpoints/testing/harness.ts";
import { endpointSliceControllerFactory } from "./endpointslice-controller.ts";

describe("endpointslice controller", () => {
  let h: Harness;
  before(async () => {
    h = await startControllers([endpointSliceControllerFactory]);
    await h.api.client.create(resourcePath(resources.nodes), {
      metadata: { name: "node-1", labels: { "topology.kubernetes.io/zone": "zone-a" } },
    });
  });
  after(() => h.stop());

  const c = () => h.api.client;
  const ns = "default";
  const slicesOf = async (service: string) =>
    (
      await c().get<EndpointSliceList>(resourcePath(resources.endpointslices, ns), {
        labelSelector: `kubernetes.io/service-name=${service}`,
      })
    ).items;
  const endpointCount = async (service: string) =>
    (await slicesOf(service)).reduce((n, s) => n + s.endpoints.length, 0);

  async function createPod(name: string, ip: string, app: string, ready = true) {
    const created = await c().create<Pod>(resourcePath(resources.pods, ns), {
      metadata: { name, labels: { app } },
      spec: {
        nodeName: "node-1",
        containers: [{ name: "c", image: "nginx", ports: [{ name: "http", containerPort: 8080 }] }],
      },
    });
    created.status = {
      phase: "Running",
      podIP: ip,
      podIPs: [{ ip }],
      conditions: [{ type: "Ready", status: ready ? "True" : "False" }],
    };
    return c().update<Pod>(resourcePath(resources.pods, ns, name, "status"), created);
  }

  const createService = (name: string, spec: Record<string, unknown>) =>
    c().create(resourcePath(resources.services, ns), { metadata: { name }, spec });

  it("publishes pods with conditions, node, zone and ports; placeholder when empty", async () => {
    await createPod("small-a", "10.244.1.1", "small");
    await createService("small", {
      selector: { app: "small" },
      ports: [{ name: "web", port: 80, targetPort: "http" }],
    });
    const [slice] = await eventually(async () => {
      const s = await slicesOf("small");
      return s[0]?.endpoints.length === 1 && s;
    });
    assert.equal(slice?.addressType, "IPv4");
    assert.deepEqual(slice?.ports, [{ name: "web", port: 8080, protocol: "TCP" }]);
    assert.equal(slice?.metadata?.ownerReferences?.[0]?.kind, "Service");
    assert.equal(
      slice?.metadata?.labels?.["endpointslice.kubernetes.io/managed-by"],
      "endpointslice-controller.k8s.io",
    );
    const ep = slice?.endpoints[0];
    assert.deepEqual(ep?.conditions, { ready: true, serving: true, terminating: false });
    assert.equal(ep?.nodeName, "node-1");
    assert.equal(ep?.zone, "zone-a");
    assert.equal(ep?.targetRef?.name, "small-a");

    await createService("empty", { selector: { app: "nobody" }, ports: [{ port: 80 }] });
    const [placeholder] = await eventually(async () => {
      const s = await slicesOf("empty");
      return s.length === 1 && s;
    });
    assert.deepEqual(placeholder?.endpoints ?? [], []);
  });

  it("keeps a 1,000-endpoint service in 10 slices and updates one slice per pod change", async () => {
    const names = Array.from({ length: 1000 }, (_, i) => i);
    await inParallel(names, 32, (i) =>
      createPod(`big-${i}`, `10.244.${100 + (i >> 8)}.${i & 255}`, "big"),
    );
    let started = performance.now();
    await createService("big", {
      selector: { app: "big" },
      ports: [{ port: 80, targetPort: 8080 }],
    });
    await eventually(async () => (await endpointCount("big")) === 1000, 20_000);
    const initialMs = performance.now() - started;
    const slices = await slicesOf("big");
    assert.equal(slices.length, 10);
    const versions = new Map(slices.map((s) => [s.metadata?.name, s.metadata?.resourceVersion]));

    const pod = await c().get<Pod>(resourcePath(resources.pods, ns, "big-500"));
    pod.status!.conditions = [{ type: "Ready", status: "False" }];
    started = performance.now();
    await c().update(resourcePath(resources.pods, ns, "big-500", "status"), pod);
    const after = await eventually(async () => {
      const now = await slicesOf("big");
      const ep = now.flatMap((s) => s.endpoints).find((e) => e.targetRef?.name === "big-500");
      return ep?.conditions?.ready === false && now;
    });
    const updateMs = performance.now() - started;
    console.log(
      `EndpointSlices for 1,000 endpoints: initial sync ${initialMs.toFixed(0)} ms, ` +
        `one pod change ${updateMs.toFixed(0)} ms`,
    );
    const rewritten = after.filter(
      (s) => versions.get(s.metadata?.name) !== s.metadata?.resourceVersion,
    );
    assert.equal(rewritten.length, 1);
    assert.ok(updateMs < 1000, `update took ${updateMs} ms`);
  });

  it("deletes the slices with the service and ignores services without a selector", async () => {
    await createService("manual", { ports: [{ port: 80 }] });
    await c().delete(resourcePath(resources.services, ns, "big"));
    await eventually(async () => (await slicesOf("big")).length === 0);
    assert.deepEqual(await slicesOf("manual"), []);
  });
});
