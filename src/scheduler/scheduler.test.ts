/**
 * End to end against an in-process API server: real informers, bindings, events and status
 * writes.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { CoreV1Event, Lease, Node, Pod } from "../api/generated/types.ts";
import { resourcePath, resources } from "../client/resources.ts";
import type { RestClient } from "../client/rest-client.ts";
import { eventually, startTestApi } from "../client/testing/test-api.ts";
import { createScheduler } from "./scheduler.ts";
import { makeNode, makePod, type PodOptions } from "./testing/fixtures.ts";

async function withCluster(fn: (client: RestClient) => Promise<void>): Promise<void> {
  const api = await startTestApi();
  const stop = new AbortController();
  const scheduler = createScheduler({ client: api.client, schedulerName: "default-scheduler" });
  const running = scheduler.run(stop.signal);
  try {
    await fn(api.client);
  } finally {
    stop.abort();
    await running;
    await api.stop();
  }
}

const createNode = (c: RestClient, node: Node) => c.create(resourcePath(resources.nodes), node);

function createPod(c: RestClient, name: string, o: PodOptions = {}): Promise<Pod> {
  const pod = makePod(name, o);
  delete pod.metadata?.uid;
  delete pod.status;
  return c.create(resourcePath(resources.pods, "default"), pod);
}

const getPod = (c: RestClient, name: string) =>
  c.get<Pod>(resourcePath(resources.pods, "default", name)).catch(() => undefined);

const nodeOf = (c: RestClient, name: string) =>
  eventually(async () => (await getPod(c, name))?.spec?.nodeName || undefined);

async function eventsFor(c: RestClient, name: string, reason: string): Promise<CoreV1Event[]> {
  const list = await c.get<{ items: CoreV1Event[] }>(resourcePath(resources.events, "default"));
  return list.items.filter((e) => e.involvedObject.name === name && e.reason === reason);
}

test("pods are bound to the least allocated node, with a Scheduled event", async () => {
  await withCluster(async (c) => {
    await createNode(c, makeNode("busy", { cpu: "4", memory: "8Gi" }));
    await createNode(c, makeNode("idle", { cpu: "4", memory: "8Gi" }));
    await createPod(c, "existing", { cpu: "3", memory: "6Gi", nodeName: "busy" });
    await createPod(c, "web", { cpu: "500m", memory: "512Mi" });
    assert.equal(await nodeOf(c, "web"), "idle");
    const pod = await getPod(c, "web");
    assert.equal(pod?.status?.conditions?.find((x) => x.type === "PodScheduled")?.status, "True");
    const [scheduled] = await eventually(async () => {
      const e = await eventsFor(c, "web", "Scheduled");
      return e.length > 0 ? e : undefined;
    });
    assert.equal(scheduled?.message, "Successfully assigned default/web to idle");
    const lease = await c.get<Lease>(
      resourcePath(resources.leases, "kube-system", "kube-scheduler"),
    );
    assert.ok(lease.spec?.holderIdentity?.startsWith("kube-scheduler-"));
  });
});

test("a pod too big stays Pending with upstream's message, then fits a new big node", async () => {
  await withCluster(async (c) => {
    const taint = { key: "node-role.kubernetes.io/control-plane", effect: "NoSchedule" as const };
    await createNode(c, makeNode("cp", { taints: [taint] }));
    await createNode(c, makeNode("w1", { cpu: "2" }));
    await createNode(c, makeNode("w2", { cpu: "2" }));
    await createPod(c, "big", { cpu: "3" });
    const msg =
      "0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 Insufficient cpu. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.";
    const condition = await eventually(async () =>
      (await getPod(c, "big"))?.status?.conditions?.find((x) => x.type === "PodScheduled"),
    );
    assert.deepEqual(
      { status: condition.status, reason: condition.reason, message: condition.message },
      { status: "False", reason: "Unschedulable", message: msg },
    );
    const events = await eventually(async () => {
      const e = await eventsFor(c, "big", "FailedScheduling");
      return e.length > 0 ? e : undefined;
    });
    assert.equal(events[0]?.message, msg);
    assert.equal(events[0]?.type, "Warning");
    await createNode(c, makeNode("huge", { cpu: "8" }));
    assert.equal(await nodeOf(c, "big"), "huge");
  });
});

test("taints keep pods away unless tolerated; nodeSelector picks the node", async () => {
  await withCluster(async (c) => {
    const taint = { key: "dedicated", value: "gpu", effect: "NoSchedule" as const };
    await createNode(c, makeNode("gpu", { taints: [taint], labels: { accelerator: "yes" } }));
    await createNode(c, makeNode("plain"));
    await createPod(c, "app", {});
    await createPod(c, "trainer", {
      tolerations: [{ key: "dedicated", operator: "Equal", value: "gpu", effect: "NoSchedule" }],
      nodeSelector: { accelerator: "yes" },
    });
    assert.equal(await nodeOf(c, "app"), "plain");
    assert.equal(await nodeOf(c, "trainer"), "gpu");
  });
});

test("required anti-affinity puts replicas on different nodes; the extra one waits", async () => {
  await withCluster(async (c) => {
    await createNode(c, makeNode("n1"));
    await createNode(c, makeNode("n2"));
    const replica = {
      labels: { app: "db" },
      affinity: {
        podAntiAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: [
            {
              labelSelector: { matchLabels: { app: "db" } },
              topologyKey: "kubernetes.io/hostname",
            },
          ],
        },
      },
    };
    for (const n of ["db-0", "db-1", "db-2"]) await createPod(c, n, replica);
    const placed = await eventually(async () => {
      const nodes = await Promise.all(
        ["db-0", "db-1", "db-2"].map(async (n) => (await getPod(c, n))?.spec?.nodeName),
      );
      return nodes.filter(Boolean).length === 2 ? nodes : undefined;
    });
    assert.equal(new Set(placed.filter(Boolean)).size, 2);
    const pending = ["db-0", "db-1", "db-2"][placed.indexOf(undefined)] ?? "";
    const events = await eventually(async () => {
      const e = await eventsFor(c, pending, "FailedScheduling");
      return e.length > 0 ? e : undefined;
    });
    assert.equal(
      events[0]?.message,
      "0/2 nodes are available: 2 node(s) didn't match pod anti-affinity rules. preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod.",
    );
  });
});

test("topology spread: DoNotSchedule keeps zones within maxSkew", async () => {
  await withCluster(async (c) => {
    for (const [n, zone] of [
      ["a1", "a"],
      ["a2", "a"],
      ["a3", "a"],
      ["b1", "b"],
    ]) {
      await createNode(
        c,
        makeNode(n ?? "", { labels: { "topology.kubernetes.io/zone": zone ?? "" } }),
      );
    }
    const spread = [
      {
        maxSkew: 1,
        topologyKey: "topology.kubernetes.io/zone",
        whenUnsatisfiable: "DoNotSchedule" as const,
        labelSelector: { matchLabels: { app: "web" } },
      },
    ];
    const names = ["w0", "w1", "w2", "w3"];
    for (const n of names) {
      await createPod(c, n, { labels: { app: "web" }, spread });
      await nodeOf(c, n);
    }
    const zones = await Promise.all(
      names.map(async (n) => ((await getPod(c, n))?.spec?.nodeName ?? "")[0]),
    );
    assert.equal(zones.filter((z) => z === "a").length, 2);
    assert.equal(zones.filter((z) => z === "b").length, 2);
  });
});

test("preemption: a high-priority pod evicts a low-priority one and takes its node", async () => {
  await withCluster(async (c) => {
    const pc = (name: string, value: number) =>
      c.create(resourcePath(resources.priorityclasses), {
        apiVersion: "scheduling.k8s.io/v1",
        kind: "PriorityClass",
        metadata: { name },
        value,
      });
    await pc("low", 10);
    await pc("high", 1000);
    await createNode(c, makeNode("n1", { cpu: "2" }));
    await createPod(c, "batch", { cpu: "2", nodeName: "n1", priorityClassName: "low" });
    await createPod(c, "critical", { cpu: "2", priorityClassName: "high" });
    // The critical pod is nominated and the victim is being deleted (it has a grace period).
    const nominated = await eventually(
      async () => (await getPod(c, "critical"))?.status?.nominatedNodeName,
    );
    assert.equal(nominated, "n1");
    const terminating = await eventually(
      async () => (await getPod(c, "batch"))?.metadata?.deletionTimestamp,
    );
    assert.ok(terminating);
    const [preempted] = await eventually(async () => {
      const e = await eventsFor(c, "batch", "Preempted");
      return e.length > 0 ? e : undefined;
    });
    assert.match(preempted?.message ?? "", /^Preempted by pod .+ on node n1$/);
    // The kubelet would finish the victim; do it here.
    await c.delete(resourcePath(resources.pods, "default", "batch"), { gracePeriodSeconds: 0 });
    assert.equal(await nodeOf(c, "critical"), "n1");
  });
});

test("pods for another scheduler are left alone", async () => {
  await withCluster(async (c) => {
    await createNode(c, makeNode("n1"));
    await createPod(c, "theirs", { schedulerName: "other-scheduler" });
    await createPod(c, "ours", {});
    await nodeOf(c, "ours");
    await new Promise((r) => setTimeout(r, 200));
    const theirs = await getPod(c, "theirs");
    assert.equal(theirs?.spec?.nodeName, undefined);
    assert.deepEqual(await eventsFor(c, "theirs", "FailedScheduling"), []);
  });
});
