import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Node, Pod, Service } from "../../api/generated/types.ts";
import { desiredEndpoints } from "./desired-endpoints.ts";
import { type EndpointSlice, type ReconcilePlan, reconcile } from "./reconciler.ts";

const service: Service = {
  metadata: { name: "web", namespace: "ns", uid: "svc-uid", labels: { app: "web" } },
  spec: {
    selector: { app: "web" },
    clusterIP: "10.96.0.20",
    ports: [{ name: "http", port: 80, targetPort: "http", protocol: "TCP" }],
  },
};

const node: Node = { metadata: { name: "n1", labels: { "topology.kubernetes.io/zone": "z1" } } };

function pod(i: number, opts: { ready?: boolean; port?: number } = {}): Pod {
  return {
    metadata: { name: `p${i}`, namespace: "ns", uid: `uid-${i}`, labels: { app: "web" } },
    spec: {
      nodeName: "n1",
      containers: [{ name: "c", ports: [{ name: "http", containerPort: opts.port ?? 8080 }] }],
    },
    status: {
      phase: "Running",
      podIP: `10.244.${i >> 8}.${i & 255}`,
      conditions: [{ type: "Ready", status: opts.ready === false ? "False" : "True" }],
    },
  };
}

const nodes = (name: string) => (name === "n1" ? node : undefined);
let counter = 0;

/** Applies a plan the way the API server would: names for new slices, updates replace. */
function apply(existing: EndpointSlice[], plan: ReconcilePlan): EndpointSlice[] {
  const gone = new Set(plan.delete.map((s) => s.metadata?.name));
  const updated = new Map(plan.update.map((s) => [s.metadata?.name, s]));
  const kept = existing
    .filter((s) => !gone.has(s.metadata?.name))
    .map((s) => updated.get(s.metadata?.name) ?? s);
  const made = plan.create.map((s) => ({
    ...s,
    metadata: { ...s.metadata, name: `web-${++counter}` },
  }));
  return [...kept, ...made];
}

const run = (pods: Pod[], existing: EndpointSlice[] = []) =>
  reconcile({ service, desired: desiredEndpoints(service, pods, nodes), existing, triggerTime: 0 });

const sizes = (slices: EndpointSlice[]) => slices.map((s) => s.endpoints.length);

describe("EndpointSlice reconciler", () => {
  it("packs endpoints into slices of at most 100 with labels, owner and ports", () => {
    const plan = run(Array.from({ length: 250 }, (_, i) => pod(i)));
    assert.deepEqual(sizes(plan.create), [100, 100, 50]);
    const slice = plan.create[0]!;
    assert.deepEqual(slice.metadata?.labels, {
      app: "web",
      "kubernetes.io/service-name": "web",
      "endpointslice.kubernetes.io/managed-by": "endpointslice-controller.k8s.io",
    });
    assert.equal(slice.metadata?.generateName, "web-");
    assert.deepEqual(slice.metadata?.ownerReferences, [
      {
        apiVersion: "v1",
        kind: "Service",
        name: "web",
        uid: "svc-uid",
        controller: true,
        blockOwnerDeletion: true,
      },
    ]);
    assert.equal(slice.addressType, "IPv4");
    assert.deepEqual(slice.ports, [{ name: "http", port: 8080, protocol: "TCP" }]);
    assert.deepEqual(slice.endpoints[0], {
      addresses: ["10.244.0.0"],
      conditions: { ready: true, serving: true, terminating: false },
      targetRef: { kind: "Pod", namespace: "ns", name: "p0", uid: "uid-0" },
      nodeName: "n1",
      zone: "z1",
    });
  });

  it("rewrites only the slice holding a changed endpoint", () => {
    const pods = Array.from({ length: 250 }, (_, i) => pod(i));
    const slices = apply([], run(pods));
    assert.deepEqual(run(pods, slices), { create: [], update: [], delete: [] });
    pods[120] = pod(120, { ready: false });
    const plan = run(pods, slices);
    assert.equal(plan.create.length + plan.delete.length, 0);
    assert.equal(plan.update.length, 1);
    const ep = plan.update[0]!.endpoints.find((e) => e.targetRef?.name === "p120");
    assert.deepEqual(ep?.conditions, { ready: false, serving: false, terminating: false });
  });

  it("fills freed room before creating slices", () => {
    const pods = Array.from({ length: 200 }, (_, i) => pod(i));
    let slices = apply([], run(pods));
    const fewer = pods.filter((_, i) => i % 20 !== 0); // 10 gone
    const more = [...fewer, ...Array.from({ length: 5 }, (_, i) => pod(500 + i))];
    const plan = run(more, slices);
    assert.equal(plan.create.length, 0);
    assert.equal(plan.delete.length, 0);
    slices = apply(slices, plan);
    assert.equal(
      slices.reduce((n, s) => n + s.endpoints.length, 0),
      195,
    );
  });

  it("marks terminating pods serving but not ready", () => {
    const p = pod(1);
    p.metadata!.deletionTimestamp = "2026-01-01T00:00:00Z";
    const [slice] = run([p]).create;
    assert.deepEqual(slice?.endpoints[0]?.conditions, {
      ready: false,
      serving: true,
      terminating: true,
    });
  });

  it("splits pods whose named port resolves differently", () => {
    const plan = run([pod(1, { port: 8080 }), pod(2, { port: 9090 }), pod(3, { port: 8080 })]);
    assert.deepEqual(plan.create.map((s) => [s.ports?.[0]?.port, s.endpoints.length]).sort(), [
      [8080, 2],
      [9090, 1],
    ]);
  });

  it("keeps one placeholder slice when nothing is selected", () => {
    const plan = run([]);
    assert.equal(plan.create.length, 1);
    assert.deepEqual(plan.create[0]?.endpoints, []);
    assert.equal(plan.create[0]?.ports, undefined);
    const slices = apply([], plan);
    assert.deepEqual(run([], slices), { create: [], update: [], delete: [] });
    const withPods = run([pod(1)], slices);
    assert.equal(withPods.create.length, 1);
    assert.equal(withPods.delete.length, 1);
  });

  it("skips pods whose node is unknown", () => {
    const p = pod(1);
    p.spec!.nodeName = "ghost";
    assert.deepEqual(desiredEndpoints(service, [p], nodes).skippedPods, ["ns/p1"]);
  });
});
