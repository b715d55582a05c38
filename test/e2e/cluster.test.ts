/**
 * `bosun cluster` end to end (issue 9) with the simulated runtime: a 1-master + 2-worker cluster
 * in namespaces on this host comes up with three Ready nodes on distinct LAN addresses; a
 * Deployment spreads over them; a stopped worker goes NotReady and its pods move, then rejoins;
 * freezing keeps a node's kernel answering while its processes stop; a cut cable makes it
 * unreachable; delete leaves no namespace, link, mount, cgroup or process behind. Node failure
 * timings are shortened with upstream's flags, passed through --server-arg/--agent-arg.
 * Runs as root (CI); skipped otherwise.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import {
  answers,
  type HostSnapshot,
  hostSnapshot,
  leftovers,
  rootSkip,
  TestCluster,
} from "./lib/cluster.ts";
import { until } from "./lib/wait.ts";

type Obj = Record<string, any>;

const ready = (n: Obj) =>
  n.status.conditions.find((c: Obj) => c.type === "Ready")?.status as string | undefined;

describe("bosun cluster (simulated runtime)", { skip: rootSkip }, () => {
  let c: TestCluster | undefined;
  let snapshot: HostSnapshot;
  let deleted = false;
  const ips = new Map<string, string>();
  const name = (role: string) => `${c!.name}-${role}`;

  before(async () => {
    snapshot = await hostSnapshot();
    c = await TestCluster.create("e2e", {
      workers: 2,
      args: [
        "--server-arg=--node-monitor-grace-period=4s",
        "--server-arg=--node-monitor-period=1s",
        "--server-arg=--default-unreachable-toleration-seconds=1",
        "--server-arg=--default-not-ready-toleration-seconds=1",
        "--agent-arg=--node-lease-duration-seconds=4",
      ],
    }).catch(async (err: unknown) => {
      await c?.delete();
      throw err;
    });
  });
  after(async () => {
    if (c && !deleted) await c.delete();
  });

  it("comes up with three Ready nodes on distinct LAN addresses", async () => {
    assert.match(c!.createOutput, /node \S+-worker2 Ready/);
    const wide = await c!.k("get", "nodes", "-o", "wide", "--no-headers");
    const rows = wide.trim().split("\n");
    assert.equal(rows.length, 3, wide);
    for (const row of rows) {
      const [node, status, , , , ip] = row.split(/\s+/);
      assert.equal(status, "Ready", row);
      ips.set(node!, ip!);
    }
    assert.equal(new Set(ips.values()).size, 3, "distinct InternalIPs");
    for (const ip of ips.values()) assert.match(ip, /^172\.31\.\d+\.1[1-3]$/);
    const master = await c!.json("get", "node", name("master1"));
    assert.equal(master.metadata.labels["node-role.kubernetes.io/control-plane"], "true");
  });

  it("lists the cluster's nodes with roles, addresses and states", async () => {
    const rows = JSON.parse((await c!.cli(["list", "-o", "json"])).stdout) as Obj[];
    const mine = rows.filter((r) => r.cluster === c!.name);
    assert.deepEqual(
      mine.map((r) => [r.name, r.role, r.ip, r.state]),
      [
        [name("master1"), "master", ips.get(name("master1")), "running"],
        [name("worker1"), "worker", ips.get(name("worker1")), "running"],
        [name("worker2"), "worker", ips.get(name("worker2")), "running"],
      ],
    );
  });

  it("spreads a Deployment over the nodes", async () => {
    await c!.k("create", "deployment", "web", "--image=nginx", "--replicas=6");
    await c!.k("rollout", "status", "deployment/web", "--timeout=60s");
    const pods = (await c!.json("get", "pods", "-l", "app=web")).items as Obj[];
    const perNode = new Set(pods.map((p) => p.spec.nodeName));
    assert.equal(perNode.size, 3, `pods on ${[...perNode].join(", ")}`);
  });

  it("a stopped worker goes NotReady, its pods move, and it rejoins when started", async () => {
    const worker = name("worker2");
    assert.equal(await answers(ips.get(worker)!), true);
    await c!.node("stop", worker);
    assert.equal(await answers(ips.get(worker)!), false, "a powered-off node does not answer");
    await until(
      "worker2 NotReady",
      async () => ready(await c!.json("get", "node", worker)) !== "True",
    );
    await until("six running pods elsewhere", async () => {
      const pods = (await c!.json("get", "pods", "-l", "app=web")).items as Obj[];
      const live = pods.filter(
        (p) => !p.metadata.deletionTimestamp && p.status.phase === "Running",
      );
      return live.length === 6 && live.every((p) => p.spec.nodeName !== worker);
    });
    await c!.node("start", worker);
    await until(
      "worker2 Ready again",
      async () => ready(await c!.json("get", "node", worker)) === "True",
    );
    assert.equal(await answers(ips.get(worker)!), true);
  });

  it("a frozen master still answers at the kernel but its API server does not", async () => {
    const master = ips.get(name("master1"))!;
    await c!.node("freeze", name("master1"));
    try {
      assert.equal(await answers(master, 6443), true, "TCP handshake by the kernel");
      const r = await c!.cli(["list", "-o", "json"]);
      const row = (JSON.parse(r.stdout) as Obj[]).find((x) => x.name === name("master1"));
      assert.equal(row?.state, "running,frozen");
      await assert.rejects(c!.k("get", "nodes", "--request-timeout=1s"));
    } finally {
      await c!.node("thaw", name("master1"));
    }
    await c!.k("get", "nodes", "--request-timeout=5s");
  });

  it("a disconnected node is unreachable until its cable is back", async () => {
    const worker = name("worker1");
    await c!.node("disconnect", worker);
    assert.equal(await answers(ips.get(worker)!), false);
    await c!.node("connect", worker);
    assert.equal(await until("worker1 reachable", () => answers(ips.get(worker)!)), true);
  });

  it("replaces a killed supervisor, which adopts the running nodes", async () => {
    const statusFile = join(c!.stateDir, c!.name, "status.json");
    const old = JSON.parse(readFileSync(statusFile, "utf8")).supervisorPid as number;
    process.kill(old, "SIGKILL");
    await until("the old supervisor gone", async () => {
      try {
        process.kill(old, 0);
        return false;
      } catch {
        return true;
      }
    });
    await c!.node("stop", name("worker1"));
    const replaced = JSON.parse(readFileSync(statusFile, "utf8"));
    assert.notEqual(replaced.supervisorPid, old);
    const rows = JSON.parse((await c!.cli(["list", "-o", "json"])).stdout) as Obj[];
    assert.deepEqual(
      rows.filter((r) => r.cluster === c!.name).map((r) => r.state),
      ["running", "stopped", "running"],
    );
    await c!.node("start", name("worker1"));
    await until(
      "worker1 Ready",
      async () => ready(await c!.json("get", "node", name("worker1"))) === "True",
    );
  });

  it("refuses unknown nodes and a second cluster of the same name in one line", async () => {
    const r = await c!.cli(["node", "stop", "worker9", "--name", c!.name]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /has no node "worker9"/);
    const dup = await c!.cli(["create", "--name", c!.name, "--runtime", "simulated"]);
    assert.equal(dup.code, 1);
    assert.match(dup.stderr, /a cluster named "\S+" already exists/);
    // Several masters are supported now (and would start a real cluster): refuse none instead.
    const none = await c!.cli(["create", "--name", "none", "--masters", "0"]);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /at least one master/);
  });

  it("delete leaves the host as it was", async () => {
    const r = await c!.delete();
    deleted = true;
    assert.equal(r.code, 0, r.stderr);
    const left = leftovers(snapshot, await hostSnapshot(), c!);
    assert.deepEqual(left, {});
  });
});
