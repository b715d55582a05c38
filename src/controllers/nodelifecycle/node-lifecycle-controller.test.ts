import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import type {
  CoreV1EventList as EventList,
  Lease,
  Node,
  Pod,
  Toleration,
} from "../../api/generated/types.ts";
import { resourcePath, resources } from "../../client/resources.ts";
import type { RestClient } from "../../client/rest-client.ts";
import { eventually } from "../../client/testing/test-api.ts";
import { FakeClock } from "../../machinery/clock.ts";
import { isStatusError } from "../../machinery/status.ts";
import { type Harness, startControllers } from "../endpoints/testing/harness.ts";
import { nodeLifecycleControllerFactory } from "./node-lifecycle-controller.ts";
import { taintEvictionControllerFactory } from "./taint-eviction-controller.ts";

const clock = new FakeClock();
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d+Z$/, "Z");
const condition = (type: string, status: string) => ({
  type,
  status,
  lastHeartbeatTime: iso(clock.now()),
  lastTransitionTime: iso(clock.now()),
});

async function postNodeStatus(client: RestClient, name: string, ready: string) {
  const node = await client.get<Node>(resourcePath(resources.nodes, "", name));
  node.status = {
    conditions: [
      condition("Ready", ready),
      condition("MemoryPressure", "False"),
      condition("DiskPressure", "False"),
      condition("PIDPressure", "False"),
    ],
  };
  await client.update(resourcePath(resources.nodes, "", name, "status"), node);
}

async function renewLease(client: RestClient, name: string) {
  const path = resourcePath(resources.leases, "kube-node-lease", name);
  const renewTime = new Date(clock.now()).toISOString().replace("Z", "000Z");
  const lease = await client.get<Lease>(path).catch(() => undefined);
  if (!lease) {
    await client.create(resourcePath(resources.leases, "kube-node-lease"), {
      metadata: { name },
      spec: { holderIdentity: name, leaseDurationSeconds: 40, renewTime },
    });
  } else {
    lease.spec = { ...lease.spec, renewTime };
    await client.update(path, lease);
  }
}

async function createPod(client: RestClient, name: string, tolerations: Toleration[] = []) {
  const pod = await client.create<Pod>(resourcePath(resources.pods, "default"), {
    metadata: { name },
    spec: { nodeName: "n1", tolerations, containers: [{ name: "c", image: "nginx" }] },
  });
  pod.status = { phase: "Running", podIP: "10.244.0.5", conditions: [condition("Ready", "True")] };
  await client.update(resourcePath(resources.pods, "default", name, "status"), pod);
}

describe("node lifecycle and taint eviction", () => {
  let h: Harness;
  before(async () => {
    h = await startControllers([nodeLifecycleControllerFactory, taintEvictionControllerFactory], {
      clock,
      settings: { nodeMonitorGracePeriodSeconds: 40, podEvictionTimeoutSeconds: 300 },
      setup: async (api) => {
        await api.client.create(resourcePath(resources.nodes), { metadata: { name: "n1" } });
        await postNodeStatus(api.client, "n1", "True");
        await renewLease(api.client, "n1");
        const unreachable = { key: "node.kubernetes.io/unreachable", operator: "Exists" as const };
        await createPod(api.client, "plain");
        await createPod(api.client, "short", [
          { ...unreachable, effect: "NoExecute", tolerationSeconds: 60 },
        ]);
        await createPod(api.client, "forever", [{ operator: "Exists", effect: "NoExecute" }]);
      },
    });
  });
  after(() => h.stop());

  const c = () => h.api.client;
  const getNode = (name: string) => c().get<Node>(resourcePath(resources.nodes, "", name));
  const ready = async (name: string) =>
    (await getNode(name)).status?.conditions?.find((x) => x.type === "Ready");
  const evicted = (name: string) =>
    c()
      .get<Pod>(resourcePath(resources.pods, "default", name))
      .then(
        (p) => p.metadata?.deletionTimestamp !== undefined,
        (err) => isStatusError(err, "NotFound"),
      );
  /** Lets the controllers process what the last clock move made due (real time, no timeouts). */
  const settle = () => sleep(300);

  it("keeps a node Ready while its kubelet renews the Lease", async () => {
    await settle();
    clock.advance(30_000);
    await renewLease(c(), "n1");
    await settle();
    clock.advance(30_000);
    await settle();
    assert.equal((await ready("n1"))?.status, "True");
    assert.deepEqual((await getNode("n1")).spec?.taints ?? [], []);
  });

  it("records RegisteredNode for a node it first sees", async () => {
    const events = await c().get<EventList>(resourcePath(resources.events, "default"));
    const registered = events.items.filter((e) => e.reason === "RegisteredNode");
    assert.deepEqual(
      registered.map((e) => [e.involvedObject.kind, e.involvedObject.name, e.message]),
      [["Node", "n1", "Node n1 event: Registered Node n1 in Controller"]],
    );
  });

  it("marks the node Unknown and taints it once the grace period passes", async () => {
    clock.advance(41_000);
    const node = await eventually(async () => {
      const n = await getNode("n1");
      return (n.spec?.taints ?? []).length === 2 && n;
    });
    const conditions = node.status?.conditions ?? [];
    for (const type of ["Ready", "MemoryPressure", "DiskPressure", "PIDPressure"]) {
      const cond = conditions.find((x) => x.type === type);
      assert.equal(cond?.status, "Unknown", type);
      assert.equal(cond?.reason, "NodeStatusUnknown");
      assert.equal(cond?.message, "Kubelet stopped posting node status.");
    }
    assert.deepEqual(node.spec?.taints, [
      { key: "node.kubernetes.io/unreachable", effect: "NoSchedule" },
      { key: "node.kubernetes.io/unreachable", effect: "NoExecute", timeAdded: iso(clock.now()) },
    ]);
    const pod = await eventually(async () => {
      const p = await c().get<Pod>(resourcePath(resources.pods, "default", "plain"));
      return p.status?.conditions?.find((x) => x.type === "Ready")?.status === "False" && p;
    });
    assert.ok(pod);
    const events = await c().get<EventList>(resourcePath(resources.events, "default"));
    assert.ok(
      events.items.some(
        (e) => e.reason === "NodeNotReady" && e.message === "Node n1 status is now: NodeNotReady",
      ),
    );
  });

  it("evicts pods when their tolerations run out", async () => {
    await settle();
    assert.equal(await evicted("short"), false);
    clock.advance(60_000);
    await eventually(() => evicted("short"));
    assert.equal(await evicted("plain"), false);
    clock.advance(240_000);
    await eventually(() => evicted("plain"));
    await settle();
    assert.equal(await evicted("forever"), false);
    const events = await c().get<EventList>(resourcePath(resources.events, "default"));
    assert.ok(
      events.items.some(
        (e) =>
          e.reason === "TaintManagerEviction" &&
          e.message === "Marking for deletion Pod default/short",
      ),
    );
  });

  it("removes the taints when the node is healthy again", async () => {
    await renewLease(c(), "n1");
    await postNodeStatus(c(), "n1", "True");
    await eventually(async () => ((await getNode("n1")).spec?.taints ?? []).length === 0);
  });

  it("taints a node its kubelet reports NotReady with not-ready taints", async () => {
    await c().create(resourcePath(resources.nodes), { metadata: { name: "n2" } });
    await renewLease(c(), "n2");
    await postNodeStatus(c(), "n2", "False");
    const taints = await eventually(async () => {
      const t = (await getNode("n2")).spec?.taints ?? [];
      return t.length === 2 && t;
    });
    assert.deepEqual(
      taints.map((t) => [t.key, t.effect]),
      [
        ["node.kubernetes.io/not-ready", "NoSchedule"],
        ["node.kubernetes.io/not-ready", "NoExecute"],
      ],
    );
  });

  it("records RemovingNode when a node is deleted", async () => {
    await c().delete(resourcePath(resources.nodes, "", "n2"));
    await eventually(async () => {
      const events = await c().get<EventList>(resourcePath(resources.events, "default"));
      return events.items.some(
        (e) =>
          e.reason === "RemovingNode" &&
          e.involvedObject.name === "n2" &&
          e.message === "Node n2 event: Removing Node n2 from Controller",
      );
    });
  });
});
