import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { EndpointSlice, EndpointSliceList } from "../../api/generated/types.ts";
import { resourcePath, resources } from "../../client/resources.ts";
import { eventually } from "../../client/testing/test-api.ts";
import { type Harness, startControllers } from "../endpoints/testing/harness.ts";
import { ingressStatusControllerFactory } from "../ingressstatus/ingress-status-controller.ts";
import { kubeDnsEndpointsControllerFactory, sliceName } from "./kube-dns-endpoints-controller.ts";

describe("kube-dns endpoints and ingress status controllers", () => {
  let h: Harness;
  before(async () => {
    h = await startControllers([kubeDnsEndpointsControllerFactory, ingressStatusControllerFactory]);
  });
  after(() => h.stop());
  const c = () => h.api.client;

  async function node(name: string, ip: string, labels: Record<string, string>, ready = true) {
    await c().create(resourcePath(resources.nodes), { metadata: { name, labels } });
    await c().patch(resourcePath(resources.nodes, "", name, "status"), "merge", {
      status: {
        addresses: [{ type: "InternalIP", address: ip }],
        conditions: [{ type: "Ready", status: ready ? "True" : "False" }],
      },
    });
  }
  const dnsSlices = async () =>
    (
      await c().get<EndpointSliceList>(resourcePath(resources.endpointslices, "kube-system"), {
        labelSelector: "kubernetes.io/service-name=kube-dns",
      })
    ).items;

  it("publishes labelled nodes behind kube-dns and withdraws them when the label goes", async () => {
    await node("n1", "10.0.0.1", { "bosun.dev/cluster-dns": "53" });
    await node("n2", "10.0.0.2", {});
    await node("n3", "10.0.0.3", { "bosun.dev/cluster-dns": "5353" }, false);
    const slices = await eventually(async () => {
      const s = await dnsSlices();
      return s.length === 2 ? s : undefined;
    });
    const n1 = slices.find((s) => s.metadata?.name === "kube-dns-n1")!;
    assert.deepEqual(n1.endpoints, [
      {
        addresses: ["10.0.0.1"],
        conditions: { ready: true, serving: true, terminating: false },
        nodeName: "n1",
      },
    ]);
    assert.deepEqual(
      n1.ports?.map((p) => `${p.name} ${p.port}/${p.protocol}`),
      ["dns 53/UDP", "dns-tcp 53/TCP"],
    );
    assert.equal(n1.metadata?.ownerReferences?.[0]?.kind, "Node");
    const n3 = slices.find((s) => s.metadata?.name === "kube-dns-n3")!;
    assert.equal(n3.endpoints[0]?.conditions?.ready, false);

    await c().patch(resourcePath(resources.nodes, "", "n1"), "merge", {
      metadata: { labels: { "bosun.dev/cluster-dns": null } },
    });
    await eventually(async () => (await dnsSlices()).length === 1);
    // a slice deleted by hand comes back
    await c().delete(resourcePath(resources.endpointslices, "kube-system", "kube-dns-n3"));
    await eventually(async () => {
      try {
        return await c().get<EndpointSlice>(
          resourcePath(resources.endpointslices, "kube-system", "kube-dns-n3"),
        );
      } catch {
        return undefined;
      }
    });
  });

  it("names slices within the name length limit", () => {
    assert.equal(sliceName("n1"), "kube-dns-n1");
    assert.ok(sliceName("x".repeat(253)).length < 40);
  });

  it("writes the ingress nodes' addresses into the status of Ingresses of class bosun", async () => {
    const ingPath = (name = "") =>
      resourcePath(
        { group: "networking.k8s.io", version: "v1", resource: "ingresses", namespaced: true },
        "default",
        name,
      );
    // IngressClass bosun, the default, is created by the API server at start.
    const backend = { service: { name: "web", port: { number: 80 } } };
    await c().create(ingPath(), { metadata: { name: "mine" }, spec: { defaultBackend: backend } });
    await c().create(ingPath(), {
      metadata: { name: "theirs" },
      spec: { ingressClassName: "nginx", defaultBackend: backend },
    });
    await node("i1", "10.0.1.2", { "bosun.dev/ingress": "true" });
    await node("i2", "10.0.1.1", { "bosun.dev/ingress": "true" });
    await node("i3", "10.0.1.3", { "bosun.dev/ingress": "true" }, false);
    type Ing = { status?: { loadBalancer?: { ingress?: Array<{ ip: string }> } } };
    const mine = await eventually(async () => {
      const i = await c().get<Ing>(ingPath("mine"));
      return i.status?.loadBalancer?.ingress?.length === 2 ? i : undefined;
    });
    assert.deepEqual(mine.status?.loadBalancer?.ingress, [{ ip: "10.0.1.1" }, { ip: "10.0.1.2" }]);
    const theirs = await c().get<Ing>(ingPath("theirs"));
    assert.equal(theirs.status?.loadBalancer?.ingress, undefined);
  });
});
