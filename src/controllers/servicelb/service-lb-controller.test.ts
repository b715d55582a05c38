import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { EndpointSlice, Node, Service } from "../../api/generated/types.ts";
import { resourcePath, resources } from "../../client/resources.ts";
import { eventually } from "../../client/testing/test-api.ts";
import { type Harness, startControllers } from "../endpoints/testing/harness.ts";
import { desiredIngress, enableLBLabel, excludeLabel } from "./desired-ingress.ts";
import { serviceLBControllerFactory } from "./service-lb-controller.ts";

function node(
  name: string,
  ip: string,
  opts: { ready?: boolean; labels?: Record<string, string>; external?: string } = {},
): Node {
  return {
    metadata: { name, ...(opts.labels ? { labels: opts.labels } : {}) },
    status: {
      addresses: [
        { type: "InternalIP", address: ip },
        ...(opts.external ? [{ type: "ExternalIP", address: opts.external }] : []),
        { type: "Hostname", address: name },
      ],
      conditions: [{ type: "Ready", status: opts.ready === false ? "False" : "True" }],
    },
  };
}

const lb = (extra: Service["spec"] = {}): Service => ({
  metadata: { name: "web", namespace: "default" },
  spec: { type: "LoadBalancer", ports: [{ port: 80 }], ...extra },
});

const podSlice = (nodes: string[]): EndpointSlice => ({
  addressType: "IPv4",
  metadata: {
    name: "web-x",
    namespace: "default",
    labels: { "kubernetes.io/service-name": "web" },
  },
  endpoints: nodes.map((n, i) => ({
    addresses: [`10.244.${i}.5`],
    nodeName: n,
    targetRef: { kind: "Pod", name: `p${i}`, namespace: "default" },
    conditions: { ready: true },
  })),
});

const ipsOf = (svc: Service, nodes: Node[], slices: EndpointSlice[] = []) =>
  desiredIngress(svc, nodes, slices).map((i) => i.ip);

describe("desiredIngress", () => {
  const n1 = node("n1", "172.31.0.11");
  const n2 = node("n2", "172.31.0.12");
  it("lists every ready node's InternalIP, sorted, as VIPs", () => {
    assert.deepEqual(desiredIngress(lb(), [n2, n1], []), [
      { ip: "172.31.0.11", ipMode: "VIP" },
      { ip: "172.31.0.12", ipMode: "VIP" },
    ]);
  });
  it("leaves out not-ready and excluded nodes", () => {
    const down = node("n3", "172.31.0.13", { ready: false });
    const excluded = node("n4", "172.31.0.14", { labels: { [excludeLabel]: "" } });
    assert.deepEqual(ipsOf(lb(), [n1, down, excluded]), ["172.31.0.11"]);
  });
  it("prefers ExternalIPs when any node has one", () => {
    const ext = node("n3", "172.31.0.13", { external: "203.0.113.3" });
    assert.deepEqual(ipsOf(lb(), [n1, ext]), ["203.0.113.3"]);
  });
  it("uses only labelled nodes once the pool label appears", () => {
    const pool = node("n3", "172.31.0.13", { labels: { [enableLBLabel]: "true" } });
    const off = node("n4", "172.31.0.14", { labels: { [enableLBLabel]: "false" } });
    assert.deepEqual(ipsOf(lb(), [n1, pool, off]), ["172.31.0.13"]);
  });
  it("with externalTrafficPolicy Local lists only nodes with ready endpoints", () => {
    const svc = lb({ externalTrafficPolicy: "Local" });
    assert.deepEqual(ipsOf(svc, [n1, n2], [podSlice(["n2"])]), ["172.31.0.12"]);
    assert.deepEqual(ipsOf(svc, [n1, n2], []), []);
  });
});

describe("service LB controller", () => {
  let h: Harness;
  const c = () => h.api.client;
  const svcPath = resourcePath(resources.services, "default", "web");

  async function putNode(n: Node): Promise<void> {
    const path = resourcePath(resources.nodes, "", n.metadata!.name!);
    const existing = await c()
      .get<Node>(path)
      .catch(() => undefined);
    const created = existing ?? (await c().create<Node>(resourcePath(resources.nodes), n));
    await c().update(`${path}/status`, { ...created, status: n.status });
  }

  const ingress = (want: string[]) =>
    eventually(async () => {
      const svc = await c().get<Service>(svcPath);
      const got = (svc.status?.loadBalancer?.ingress ?? []).map((i) => i.ip);
      return JSON.stringify(got) === JSON.stringify(want) ? svc : undefined;
    });

  before(async () => {
    h = await startControllers([serviceLBControllerFactory], {
      setup: async (api) => {
        const create = (n: Node) => api.client.create<Node>(resourcePath(resources.nodes), n);
        for (const n of [node("n1", "172.31.0.11"), node("n2", "172.31.0.12")]) {
          const made = await create(n);
          await api.client.update(resourcePath(resources.nodes, "", n.metadata!.name!, "status"), {
            ...made,
            status: n.status,
          });
        }
      },
    });
  });
  after(() => h.stop());

  it("publishes every ready node's address and records an event", async () => {
    await c().create(resourcePath(resources.services, "default"), lb());
    await ingress(["172.31.0.11", "172.31.0.12"]);
    const events = await eventually(async () => {
      const list = await c().get<{ items: Array<{ reason?: string; message?: string }> }>(
        resourcePath(resources.events, "default"),
      );
      return list.items.find((e) => e.reason === "UpdatedLoadBalancer");
    });
    assert.equal(
      events.message,
      "Updated LoadBalancer with new IPs: [] -> [172.31.0.11 172.31.0.12]",
    );
  });

  it("follows nodes joining and becoming not ready", async () => {
    await putNode(node("n3", "172.31.0.13"));
    await ingress(["172.31.0.11", "172.31.0.12", "172.31.0.13"]);
    await putNode(node("n1", "172.31.0.11", { ready: false }));
    await ingress(["172.31.0.12", "172.31.0.13"]);
  });

  it("leaves services with a loadBalancerClass to their controller", async () => {
    await c().create(resourcePath(resources.services, "default"), {
      ...lb({ loadBalancerClass: "example.com/other" }),
      metadata: { name: "other", namespace: "default" },
    });
    await ingress(["172.31.0.12", "172.31.0.13"]); // Let the controller catch up.
    const other = await c().get<Service>(resourcePath(resources.services, "default", "other"));
    assert.equal(other.status?.loadBalancer?.ingress, undefined);
  });
});
