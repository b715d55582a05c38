/**
 * Node failure end to end (issue 6's "restore the state of the cluster"): three simulated nodes,
 * each its own `bosun agent` process; one is killed. Its Lease stops renewing, the node lifecycle
 * controller marks it Ready=Unknown after `--node-monitor-grace-period` and taints it
 * unreachable; the taint manager evicts its pods once their default toleration
 * (`--default-unreachable-toleration-seconds`) runs out, and the ReplicaSet replaces them on the
 * other nodes. When the node comes back, the taints go and its kubelet finishes the evicted pods.
 * The timings are shortened with upstream's flags so the test takes seconds, not minutes.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { SimulatedNode, waitForReadyNodes } from "./lib/nodes.ts";
import { TestServer } from "./lib/server.ts";
import { until } from "./lib/wait.ts";

type Obj = Record<string, any>;

const graceSeconds = 8;
const tolerationSeconds = 2;
/** The agents renew their Lease every second (a quarter of it), well inside the grace. */
const leaseDurationSeconds = 4;

describe("node failure", () => {
  let s: TestServer;
  const names = ["node-a", "node-b", "node-c"];
  const nodes = new Map<string, SimulatedNode>();
  const ns = ["-n", "nf"];
  const start = (name: string) =>
    nodes.set(name, SimulatedNode.start(s, name, { leaseDurationSeconds }));

  before(async () => {
    s = await TestServer.start({
      args: [
        `--node-monitor-grace-period=${graceSeconds}s`,
        "--node-monitor-period=1s",
        `--default-unreachable-toleration-seconds=${tolerationSeconds}`,
        `--default-not-ready-toleration-seconds=${tolerationSeconds}`,
      ],
    });
    for (const name of names) start(name);
    await waitForReadyNodes(s, names);
    await s.k("create", "namespace", "nf");
    await until("default service account", () => s.json("get", ...ns, "serviceaccount", "default"));
  });
  after(async () => {
    for (const node of nodes.values()) await node.kill();
    await s?.dispose();
  });

  const pods = async () =>
    (await s.json<{ items: Obj[] }>("get", ...ns, "pods", "-l", "app=web")).items;
  const readyCondition = (n: Obj) => n.status.conditions.find((c: Obj) => c.type === "Ready");

  it("pods get the server's default toleration seconds", async () => {
    await s.k("create", "deployment", "web", ...ns, "--image=nginx", "--replicas=6");
    await s.k("rollout", "status", ...ns, "deployment/web", "--timeout=60s");
    const [pod] = await pods();
    const unreachable = pod!.spec.tolerations.find(
      (t: Obj) => t.key === "node.kubernetes.io/unreachable",
    );
    assert.deepEqual(unreachable, {
      key: "node.kubernetes.io/unreachable",
      operator: "Exists",
      effect: "NoExecute",
      tolerationSeconds,
    });
  });

  it("a node whose agent dies becomes NotReady, is tainted, and its pods move", async () => {
    const victims = (await pods()).filter((p) => p.spec.nodeName === "node-c");
    assert.ok(victims.length > 0, "the scheduler spread pods onto node-c");
    const killedAt = Date.now();
    await nodes.get("node-c")!.kill();

    const node = await until("node-c Ready=Unknown", async () => {
      const n = await s.json("get", "node", "node-c");
      return readyCondition(n).status === "Unknown" && n;
    });
    const detectedMs = Date.now() - killedAt;
    assert.ok(detectedMs >= (graceSeconds - leaseDurationSeconds / 4) * 1000, `${detectedMs} ms`);
    const ready = readyCondition(node);
    assert.equal(ready.reason, "NodeStatusUnknown");
    assert.equal(ready.message, "Kubelet stopped posting node status.");
    assert.match(await s.k("get", "node", "node-c", "--no-headers"), /^node-c\s+NotReady\s/);
    const tainted = await until("unreachable taints", async () => {
      const n = await s.json("get", "node", "node-c");
      return (n.spec.taints ?? []).length === 2 && n;
    });
    assert.deepEqual(
      tainted.spec.taints.map((t: Obj) => `${t.key}:${t.effect}`),
      ["node.kubernetes.io/unreachable:NoSchedule", "node.kubernetes.io/unreachable:NoExecute"],
    );

    // Evicted after the toleration, replaced on the healthy nodes.
    await until(
      "six running replacements on node-a and node-b",
      async () => {
        const live = (await pods()).filter(
          (p) => !p.metadata.deletionTimestamp && p.status.phase === "Running",
        );
        return live.length === 6 && live.every((p) => p.spec.nodeName !== "node-c");
      },
      30_000,
    );
    const d = await s.json("get", ...ns, "deployment", "web");
    assert.equal(d.status.availableReplicas, 6);
    for (const victim of victims) {
      const p = await s.json("get", ...ns, "pod", victim.metadata.name);
      assert.ok(p.metadata.deletionTimestamp, "evicted pods wait for their node to confirm");
      const disruption = p.status.conditions.find((c: Obj) => c.type === "DisruptionTarget");
      assert.equal(disruption.reason, "DeletionByTaintManager");
      const podReady = p.status.conditions.find((c: Obj) => c.type === "Ready");
      assert.equal(podReady.status, "False");
    }
    const nodeText = await s.k("describe", "node", "node-c");
    assert.match(
      nodeText,
      /Normal\s+NodeNotReady\s+\S+\s+node-controller\s+Node node-c status is now: NodeNotReady/,
    );
    const podText = await s.k("describe", ...ns, "pod", victims[0]!.metadata.name);
    assert.match(
      podText,
      new RegExp(
        `Normal\\s+TaintManagerEviction\\s+\\S+\\s+taint-eviction-controller\\s+Marking for deletion Pod nf/${victims[0]!.metadata.name}`,
      ),
    );
  });

  it("the node comes back: taints removed, the evicted pods finished", async () => {
    start("node-c");
    await waitForReadyNodes(s, ["node-c"]);
    await until("taints removed", async () => {
      const n = await s.json("get", "node", "node-c");
      return (n.spec.taints ?? []).length === 0;
    });
    await until("no pods left on node-c", async () =>
      (await pods()).every((p) => p.spec.nodeName !== "node-c"),
    );
    assert.equal((await pods()).length, 6);
  });
});
