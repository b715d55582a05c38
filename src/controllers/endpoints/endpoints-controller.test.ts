import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Endpoints, Pod } from "../../api/generated/types.ts";
import { resourcePath, resources } from "../../client/resources.ts";
import { eventually } from "../../client/testing/test-api.ts";
import { isStatusError } from "../../machinery/status.ts";
import { endpointsControllerFactory } from "./endpoints-controller.ts";
import { type Harness, startControllers } from "./testing/harness.ts";

describe("endpoints controller", () => {
  let h: Harness;
  before(async () => {
    h = await startControllers([endpointsControllerFactory]);
  });
  after(() => h.stop());

  const c = () => h.api.client;
  const ns = "default";
  const epPath = (name: string) => resourcePath(resources.endpoints, ns, name);
  const getEndpoints = (name: string) =>
    c()
      .get<Endpoints>(epPath(name))
      .catch((err) => {
        if (isStatusError(err, "NotFound")) return undefined;
        throw err;
      });

  async function createPod(
    name: string,
    ip: string,
    opts: { ready: boolean; labels?: Record<string, string>; hostname?: string },
  ) {
    const spec = {
      nodeName: "node-1",
      containers: [{ name: "c", image: "nginx", ports: [{ name: "http", containerPort: 8080 }] }],
      ...(opts.hostname ? { hostname: opts.hostname, subdomain: "web" } : {}),
    };
    const created = await c().create<Pod>(resourcePath(resources.pods, ns), {
      metadata: { name, labels: opts.labels ?? { app: "web" } },
      spec,
    });
    created.status = {
      phase: "Running",
      podIP: ip,
      podIPs: [{ ip }],
      conditions: [
        {
          type: "Ready",
          status: opts.ready ? "True" : "False",
          lastTransitionTime: "2026-01-01T00:00:00Z",
        },
      ],
    };
    return c().update<Pod>(resourcePath(resources.pods, ns, name, "status"), created);
  }

  it("lists ready and not-ready pods with resolved named ports, nodeName, targetRef", async () => {
    const a = await createPod("web-a", "10.244.0.10", { ready: true, hostname: "web-a" });
    await createPod("web-b", "10.244.0.11", { ready: false });
    await createPod("other", "10.244.0.12", { ready: true, labels: { app: "other" } });
    await c().create(resourcePath(resources.services, ns), {
      metadata: { name: "web", labels: { tier: "front" } },
      spec: { selector: { app: "web" }, ports: [{ name: "web", port: 80, targetPort: "http" }] },
    });
    const ep = await eventually(async () => {
      const e = await getEndpoints("web");
      return e?.subsets?.[0]?.notReadyAddresses?.length === 1 && e;
    });
    assert.deepEqual(ep.subsets, [
      {
        addresses: [
          {
            ip: "10.244.0.10",
            hostname: "web-a",
            nodeName: "node-1",
            targetRef: { kind: "Pod", namespace: ns, name: "web-a", uid: a.metadata?.uid },
          },
        ],
        notReadyAddresses: [
          {
            ip: "10.244.0.11",
            nodeName: "node-1",
            targetRef: {
              kind: "Pod",
              namespace: ns,
              name: "web-b",
              uid: (await c().get<Pod>(resourcePath(resources.pods, ns, "web-b"))).metadata?.uid,
            },
          },
        ],
        ports: [{ name: "web", port: 8080, protocol: "TCP" }],
      },
    ]);
    assert.deepEqual(ep.metadata?.labels, {
      tier: "front",
      "endpoints.kubernetes.io/managed-by": "endpoint-controller",
    });
    assert.match(
      ep.metadata?.annotations?.["endpoints.kubernetes.io/last-change-trigger-time"] ?? "",
      /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/,
    );
  });

  it("follows readiness changes and publishNotReadyAddresses", async () => {
    const b = await c().get<Pod>(resourcePath(resources.pods, ns, "web-b"));
    b.status!.conditions = [
      { type: "Ready", status: "True", lastTransitionTime: "2026-01-01T00:01:00Z" },
    ];
    await c().update(resourcePath(resources.pods, ns, "web-b", "status"), b);
    await eventually(
      async () => (await getEndpoints("web"))?.subsets?.[0]?.addresses?.length === 2,
    );

    await createPod("pub-a", "10.244.0.20", { ready: false, labels: { app: "pub" } });
    await c().create(resourcePath(resources.services, ns), {
      metadata: { name: "pub" },
      spec: {
        selector: { app: "pub" },
        publishNotReadyAddresses: true,
        ports: [{ port: 80, targetPort: 8080 }],
      },
    });
    const ep = await eventually(async () => (await getEndpoints("pub"))?.subsets?.[0]);
    assert.deepEqual(
      ep.addresses?.map((x) => x.ip),
      ["10.244.0.20"],
    );
    assert.equal(ep.notReadyAddresses, undefined);
  });

  it("skips services without a selector and marks headless ones", async () => {
    await c().create(resourcePath(resources.services, ns), {
      metadata: { name: "manual" },
      spec: { ports: [{ port: 80 }] },
    });
    await c().create(resourcePath(resources.services, ns), {
      metadata: { name: "web-headless" },
      spec: { clusterIP: "None", selector: { app: "web" } },
    });
    const headless = await eventually(() => getEndpoints("web-headless"));
    assert.equal(headless.metadata?.labels?.["service.kubernetes.io/headless"], "");
    assert.equal(headless.subsets?.[0]?.addresses?.length, 2);
    assert.equal(await getEndpoints("manual"), undefined);
  });

  it("waits for its own writes instead of updating from a stale cache (no conflict warnings)", async () => {
    await c().create(resourcePath(resources.services, ns), {
      metadata: { name: "burst" },
      spec: { selector: { app: "burst" }, ports: [{ port: 80, targetPort: 8080 }] },
    });
    await eventually(() => getEndpoints("burst"));
    // Each pod changes the Endpoints again, faster than the informer sees the last write.
    for (let round = 0; round < 3; round++) {
      await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          createPod(`burst-${round}-${i}`, `10.244.1.${round * 10 + i}`, {
            ready: true,
            labels: { app: "burst" },
          }),
        ),
      );
    }
    await eventually(
      async () => (await getEndpoints("burst"))?.subsets?.[0]?.addresses?.length === 24,
    );
    await new Promise((r) => setTimeout(r, 500)); // events are written after the fact
    const events = await c().get<{ items: Array<{ reason?: string; message?: string }> }>(
      resourcePath(resources.events, ns),
    );
    const failed = events.items.filter((e) => e.reason?.startsWith("FailedToUpdateEndpoint"));
    assert.deepEqual(
      failed.map((e) => e.message),
      [],
    );
  });

  it("recreates deleted Endpoints and deletes them with the service", async () => {
    await c().delete(epPath("web"));
    await eventually(() => getEndpoints("web"));
    await c().delete(resourcePath(resources.services, ns, "web"));
    await eventually(async () => (await getEndpoints("web")) === undefined);
  });
});
