/**
 * The scheduler end to end, with simulated nodes and real kubectl: least-allocated placement,
 * a pod too big for every node (Pending with upstream's FailedScheduling message, then scheduled
 * when a node with room joins), taints and tolerations, node affinity, topology spread,
 * preemption by priority, and pods for another scheduler left alone.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { SimulatedNode, waitForReadyNodes } from "./lib/nodes.ts";
import { TestServer } from "./lib/server.ts";

const nodeNames = ["node-a", "node-b", "node-c"];

function pod(name: string, spec: Record<string, unknown>, cpu = "100m"): string {
  return JSON.stringify({
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, labels: { app: name.replace(/-\d+$/, "") } },
    spec: {
      containers: [{ name: "main", image: "busybox:1.36", resources: { requests: { cpu } } }],
      ...spec,
    },
  });
}

describe("scheduler", () => {
  let s: TestServer;
  const nodes: SimulatedNode[] = [];
  const ns = ["-n", "sched"];

  const nodeOf = async (name: string, ms = 15_000): Promise<string> => {
    const deadline = Date.now() + ms;
    for (;;) {
      const p = await s.json("get", ...ns, "pod", name);
      if (p.spec.nodeName) return p.spec.nodeName;
      if (Date.now() > deadline) assert.fail(`pod ${name} not scheduled in ${ms} ms`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  const create = (manifest: string) => s.kubectl(["create", ...ns, "-f", "-"], { input: manifest });
  const failedScheduling = async (name: string): Promise<string> => {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const events = await s.json(
        "get",
        ...ns,
        "events",
        "--field-selector",
        `involvedObject.name=${name},reason=FailedScheduling`,
      );
      const message = events.items.at(-1)?.message;
      if (message) return message;
      if (Date.now() > deadline) assert.fail(`no FailedScheduling event for ${name}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  before(async () => {
    s = await TestServer.start();
    for (const name of nodeNames) {
      nodes.push(
        SimulatedNode.start(s, name, { capacity: { cpu: "4", memory: "8Gi", pods: "20" } }),
      );
    }
    await waitForReadyNodes(s, nodeNames);
    await s.k("create", "namespace", "sched");
  });
  after(async () => {
    for (const n of nodes) await n.kill();
    await s.dispose();
  });

  it("puts a pod on the least allocated node", async () => {
    await create(pod("load-a", { nodeSelector: { "kubernetes.io/hostname": "node-a" } }, "3"));
    await create(pod("load-b", { nodeSelector: { "kubernetes.io/hostname": "node-b" } }, "1"));
    assert.equal(await nodeOf("load-a"), "node-a");
    assert.equal(await nodeOf("load-b"), "node-b");
    await create(pod("free", {}, "500m"));
    assert.equal(await nodeOf("free"), "node-c");
    await s.k("delete", ...ns, "pod", "load-a", "load-b", "free", "--wait=false");
  });

  it("keeps a pod that fits nowhere Pending, then schedules it when a big node joins", async () => {
    assert.equal((await create(pod("huge", {}, "16"))).code, 0);
    // More cpu than any node has at all: upstream marks that unresolvable, so preemption is moot.
    const message = await failedScheduling("huge");
    assert.match(
      message,
      /^0\/3 nodes are available: 3 Insufficient cpu\. preemption: 0\/3 nodes are available: 3 Preemption is not helpful for scheduling\.$/,
    );
    const describe = await s.k("describe", ...ns, "pod", "huge");
    assert.match(
      describe,
      /Warning\s+FailedScheduling\s+.*0\/3 nodes are available: 3 Insufficient cpu\./,
    );
    assert.equal((await s.json("get", ...ns, "pod", "huge")).status.phase, "Pending");
    nodes.push(SimulatedNode.start(s, "node-big", { capacity: { cpu: "32", memory: "64Gi" } }));
    assert.equal(await nodeOf("huge", 30_000), "node-big");
    await s.k("delete", ...ns, "pod", "huge", "--wait=false");
    await s.k("taint", "node", "node-big", "e2e/reserved=big:NoSchedule");
  });

  it("respects taints and tolerations", async () => {
    await s.k("taint", "node", "node-b", "dedicated=db:NoSchedule");
    await create(pod("intolerant", { nodeSelector: { "kubernetes.io/hostname": "node-b" } }));
    assert.match(
      await failedScheduling("intolerant"),
      /^0\/4 nodes are available: 1 node\(s\) had untolerated taint \{dedicated: db\}, 1 node\(s\) had untolerated taint \{e2e\/reserved: big\}, 2 node\(s\) didn't match Pod's node affinity\/selector\. preemption: 0\/4 nodes are available: 4 Preemption is not helpful for scheduling\.$/,
    );
    await create(
      pod("tolerant", {
        nodeSelector: { "kubernetes.io/hostname": "node-b" },
        tolerations: [{ key: "dedicated", operator: "Equal", value: "db", effect: "NoSchedule" }],
      }),
    );
    assert.equal(await nodeOf("tolerant"), "node-b");
    await s.k("delete", ...ns, "pod", "intolerant", "tolerant", "--wait=false");
    await s.k("taint", "node", "node-b", "dedicated-");
  });

  it("honours required node affinity", async () => {
    await s.k("label", "node", "node-c", "zone=z2");
    await create(
      pod("affine", {
        affinity: {
          nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: {
              nodeSelectorTerms: [
                { matchExpressions: [{ key: "zone", operator: "In", values: ["z2"] }] },
              ],
            },
          },
        },
      }),
    );
    assert.equal(await nodeOf("affine"), "node-c");
    await s.k("delete", ...ns, "pod", "affine", "--wait=false");
  });

  it("spreads a deployment over the nodes with a topology spread constraint", async () => {
    const deployment = {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "spread" },
      spec: {
        replicas: 6,
        selector: { matchLabels: { app: "spread" } },
        template: {
          metadata: { labels: { app: "spread" } },
          spec: {
            topologySpreadConstraints: [
              {
                maxSkew: 1,
                topologyKey: "kubernetes.io/hostname",
                whenUnsatisfiable: "DoNotSchedule",
                labelSelector: { matchLabels: { app: "spread" } },
              },
            ],
            tolerations: [{ key: "e2e/reserved", operator: "Exists" }],
            containers: [
              { name: "main", image: "nginx:1.27", resources: { requests: { cpu: "10m" } } },
            ],
          },
        },
      },
    };
    await s.kubectl(["apply", ...ns, "-f", "-"], { input: JSON.stringify(deployment) });
    const deadline = Date.now() + 20_000;
    let counts: Record<string, number> = {};
    for (;;) {
      const pods = await s.json("get", ...ns, "pods", "-l", "app=spread");
      counts = {};
      for (const p of pods.items)
        if (p.spec.nodeName) counts[p.spec.nodeName] = (counts[p.spec.nodeName] ?? 0) + 1;
      if (Object.values(counts).reduce((a, b) => a + b, 0) === 6) break;
      if (Date.now() > deadline)
        assert.fail(`not all spread pods scheduled: ${JSON.stringify(counts)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    const perNode = Object.values(counts);
    assert.ok(
      Math.max(...perNode) - Math.min(...perNode) <= 1 && perNode.length === 4,
      JSON.stringify(counts),
    );
    await s.k("delete", ...ns, "deployment", "spread");
  });

  it("preempts lower-priority pods for a higher-priority one", async () => {
    await s.kubectl(["create", "-f", "-"], {
      input: JSON.stringify({
        apiVersion: "scheduling.k8s.io/v1",
        kind: "PriorityClass",
        metadata: { name: "e2e-high" },
        value: 1000,
      }),
    });
    // Fill node-a with a low-priority pod, then ask for most of node-a at high priority.
    await create(pod("victim", { nodeSelector: { "kubernetes.io/hostname": "node-a" } }, "3500m"));
    assert.equal(await nodeOf("victim"), "node-a");
    await create(
      pod(
        "vip",
        { nodeSelector: { "kubernetes.io/hostname": "node-a" }, priorityClassName: "e2e-high" },
        "3",
      ),
    );
    assert.equal(await nodeOf("vip", 30_000), "node-a");
    const gone = await s.kubectl(["get", ...ns, "pod", "victim"]);
    assert.match(gone.stderr, /not found/, "the victim was evicted");
    const events = await s.json("get", ...ns, "events", "--field-selector", "reason=Preempted");
    assert.ok(
      events.items.some((e: any) => /Preempted by pod/.test(e.message)),
      JSON.stringify(events.items),
    );
  });

  it("leaves pods for another scheduler alone", async () => {
    await create(pod("elsewhere", { schedulerName: "other-scheduler" }));
    await new Promise((r) => setTimeout(r, 1500));
    const p = await s.json("get", ...ns, "pod", "elsewhere");
    assert.equal(p.spec.nodeName, undefined);
    const events = await s.json(
      "get",
      ...ns,
      "events",
      "--field-selector",
      "involvedObject.name=elsewhere",
    );
    assert.deepEqual(events.items, []);
  });

  it("kubectl drain evicts only what a PodDisruptionBudget allows", async () => {
    const deployment = {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "guarded" },
      spec: {
        replicas: 3,
        selector: { matchLabels: { app: "guarded" } },
        template: {
          metadata: { labels: { app: "guarded" } },
          spec: {
            nodeSelector: { "kubernetes.io/hostname": "node-c" },
            containers: [{ name: "main", image: "busybox:1.36" }],
          },
        },
      },
    };
    await create(JSON.stringify(deployment));
    await s.k("rollout", "status", ...ns, "deployment/guarded", "--timeout=60s");
    await s.k("create", "pdb", ...ns, "guarded", "--selector=app=guarded", "--min-available=2");
    const allowed = async () =>
      (await s.json("get", ...ns, "pdb", "guarded")).status?.disruptionsAllowed;
    const deadline = Date.now() + 15_000;
    while ((await allowed()) !== 1 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    assert.equal(await allowed(), 1);

    // One may go; its replacement cannot land on the cordoned node, so the others must stay.
    const drain = await s.kubectl([
      "drain",
      "node-c",
      "--pod-selector=app=guarded",
      "--timeout=8s",
    ]);
    await s.k("uncordon", "node-c");
    assert.notEqual(drain.code, 0);
    assert.match(drain.stdout + drain.stderr, /evicted/);
    assert.match(
      drain.stderr,
      /Cannot evict pod as it would violate the pod's disruption budget\./,
    );
    const pods = await s.json("get", ...ns, "pods", "-l", "app=guarded");
    const running = pods.items.filter(
      (p: { metadata: { deletionTimestamp?: string }; status: { phase: string } }) =>
        p.status.phase === "Running" && !p.metadata.deletionTimestamp,
    );
    assert.equal(running.length, 2, "the budget's two pods stayed");
    await s.k("delete", ...ns, "deployment", "guarded");
  });
});
