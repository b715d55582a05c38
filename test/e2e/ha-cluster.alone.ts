/**
 * Several masters end to end (issue 11) on a local `bosun cluster --masters 3 --workers 2`
 * (real containers on containerd when it is installed, else the simulated runtime): every master is in the `kubernetes` Endpoints; the host kubeconfig names
 * the supervisor's load balancer; stopping the master whose controller manager and scheduler
 * lead moves both leases to another master, kubectl keeps working through the load balancer, a
 * Deployment scaled during the outage converges, the workers stay Ready (their clients failed
 * over: their node Leases keep being renewed), the dead master leaves the Endpoints, and no
 * write a client saw acknowledged is lost. Prints the failover gap (longest time without a
 * successful write) and the leader takeover time. Runs as root; skipped otherwise.
 *
 * Named `.alone.ts`: `npm test` runs it after the rest, by itself. Beside two other e2e clusters on
 * a slow 2-core guest its masters did not become Ready in 4 minutes (once none of them did:
 * masters 2 and 3's etcd refused connections after joining, master 1 waited for quorum); what
 * breaks there is not yet known, and a failover timing test needs the machine to itself.
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { after, before, describe, it } from "node:test";
import { configFromKubeconfig, RestClient } from "../../src/client/rest-client.ts";
import { buildTestImages } from "../images/build.ts";
import { rootSkip, TestCluster } from "./lib/cluster.ts";
import { until } from "./lib/wait.ts";

const runtime = existsSync("/usr/bin/containerd") ? "containerd" : "simulated";

type Obj = Record<string, any>;

const ready = (n: Obj) =>
  n.status.conditions.find((c: Obj) => c.type === "Ready")?.status as string | undefined;

/** `h15-master1-821ea858_controller-manager` → `h15-master1`. */
const holderNode = (lease: Obj) =>
  String(lease.spec?.holderIdentity ?? "")
    .split("_")[0]!
    .replace(/-[0-9a-f]+$/, "");

/** Creates ConfigMaps through the load balancer until stopped; records what was acknowledged. */
function startWriter(kubeconfig: string) {
  const client = new RestClient({
    ...configFromKubeconfig(kubeconfig, "e2e-writer"),
    timeoutMs: 5_000,
  });
  const acknowledged: string[] = [];
  let failures = 0;
  let gapMs = 0;
  let stopped = false;
  const done = (async () => {
    let last = performance.now();
    for (let i = 0; !stopped; i++) {
      const name = `w-${i}`;
      try {
        await client.create("/api/v1/namespaces/default/configmaps", {
          apiVersion: "v1",
          kind: "ConfigMap",
          metadata: { name },
          data: { i: String(i) },
        });
        acknowledged.push(name);
        const now = performance.now();
        gapMs = Math.max(gapMs, now - last);
        last = now;
      } catch {
        failures++;
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    client.close();
  })();
  return {
    acknowledged,
    stats: () => ({ failures, gapMs: Math.round(gapMs) }),
    async stop() {
      stopped = true;
      await done;
    },
  };
}

describe("bosun cluster with three masters", { skip: rootSkip }, () => {
  let c: TestCluster | undefined;
  let images: string | undefined;
  /** The master the failover test stopped. */
  let stopped: string | undefined;
  const name = (role: string) => `${c!.name}-${role}`;

  before(async () => {
    if (runtime === "containerd") {
      images = mkdtempSync(join(tmpdir(), "bosun-ha-images-"));
      for (const image of await buildTestImages({ only: ["nginx"] })) {
        symlinkSync(image.archive, join(images, basename(image.archive)));
      }
    }
    c = await TestCluster.create("ha", {
      workers: 2,
      runtime,
      // bosun cluster gives several masters a 10 s leader lease (upstream's 15 s: 15-17 s).
      args: [
        "--masters",
        "3",
        "--server-arg=--node-monitor-grace-period=20s",
        // Alone, Ready in ~25 s; beside two other clusters of the suite on a slow 2-core guest,
        // the masters join etcd one at a time and the last was not Ready after 2 minutes.
        "--timeout",
        "4m",
        ...(images ? ["--images", images] : []),
      ],
      timeoutMs: 300_000,
    }).catch(async (err: unknown) => {
      await c?.delete();
      throw err;
    });
    const readyIn = /is ready \(([\d.]+) s\)/.exec(c.createOutput)?.[1];
    process.stderr.write(
      `# cluster create --masters 3 --workers 2 (${runtime}): Ready in ${readyIn} s\n`,
    );
  });
  after(async () => {
    await c?.delete();
    if (images) rmSync(images, { recursive: true, force: true });
  });

  it("comes up with five Ready nodes, every master in the kubernetes Endpoints", async () => {
    const nodes = (await c!.json("get", "nodes")).items as Obj[];
    assert.equal(nodes.length, 5);
    assert.ok(nodes.every((n) => ready(n) === "True"));
    const masters = ["master1", "master2", "master3"].map(
      (m) => nodes.find((n) => n.metadata.name === name(m))!.status.addresses[0].address,
    );
    await until("all three masters in the Endpoints", async () => {
      const ep = await c!.json("get", "endpoints", "kubernetes", "-n", "default");
      const ips = (ep.subsets?.[0]?.addresses ?? []).map((a: Obj) => a.ip).sort();
      return JSON.stringify(ips) === JSON.stringify([...masters].sort());
    });
    const slice = await c!.json("get", "endpointslice", "kubernetes", "-n", "default");
    assert.equal(slice.endpoints.length, 3);
  });

  it("points the host kubeconfig at the load balancer", () => {
    const kubeconfig = readFileSync(c!.kubeconfig, "utf8");
    assert.match(kubeconfig, /server: https:\/\/127\.0\.0\.1:\d+/);
  });

  it("survives the loss of the master whose controller manager and scheduler lead", async () => {
    await c!.k("create", "deployment", "web", "--image=nginx:1.27", "--replicas=2");
    // On the workers only: a pod on the stopped master would stay unavailable for the 300 s of
    // its unreachable toleration, as upstream's would.
    const onWorkers = {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [
            {
              matchExpressions: [
                { key: "node-role.kubernetes.io/control-plane", operator: "DoesNotExist" },
              ],
            },
          ],
        },
      },
    };
    await c!.k(
      "patch",
      "deployment",
      "web",
      "--type=merge",
      `-p=${JSON.stringify({ spec: { template: { spec: { affinity: onWorkers } } } })}`,
    );
    await until(
      "web to be available",
      async () => {
        const d = await c!.json("get", "deployment", "web");
        return d.status.availableReplicas === 2 && d.status.updatedReplicas === 2;
      },
      90_000,
    );
    const leases = async () =>
      ((await c!.json("get", "leases", "-n", "kube-system")).items as Obj[]).filter((l) =>
        ["kube-controller-manager", "kube-scheduler"].includes(l.metadata.name),
      );
    const leaders = await until("both leases held", async () => {
      const ls = await leases();
      return ls.length === 2 && ls.every((l) => holderNode(l)) ? ls : undefined;
    });
    const leader = holderNode(leaders[0]!);
    assert.equal(holderNode(leaders[1]!), leader, "both leaders on one master");
    assert.match(leader, /-master\d$/);

    const writer = startWriter(c!.kubeconfig);
    try {
      await outage(leader, writer);
    } finally {
      await writer.stop();
    }
  });

  async function outage(leader: string, writer: ReturnType<typeof startWriter>) {
    const leases = async () =>
      ((await c!.json("get", "leases", "-n", "kube-system")).items as Obj[]).filter((l) =>
        ["kube-controller-manager", "kube-scheduler"].includes(l.metadata.name),
      );
    await new Promise((r) => setTimeout(r, 1_000));
    const stoppedAt = performance.now();
    await c!.node("stop", leader);
    stopped = leader;

    // kubectl keeps working through the load balancer during the outage.
    await until("kubectl to scale web through the load balancer", async () => {
      await c!.k("scale", "deployment", "web", "--replicas=4");
      return true;
    });
    await until(
      "new leaders on another master",
      async () => {
        const ls = await leases();
        return ls.length === 2 && ls.every((l) => holderNode(l) !== leader) ? true : undefined;
      },
      30_000,
    );
    const takeoverMs = Math.round(performance.now() - stoppedAt);
    await until(
      "web to converge at 4 available replicas",
      async () => {
        const d = await c!.json("get", "deployment", "web");
        return d.status.availableReplicas === 4 && d.status.updatedReplicas === 4;
      },
      60_000,
    );
    // The workers' clients failed over: their node Leases are fresh, they are Ready.
    await new Promise((r) => setTimeout(r, 3_000));
    for (const w of ["worker1", "worker2"]) {
      const lease = await c!.json("get", "lease", name(w), "-n", "kube-node-lease");
      const age = Date.now() - Date.parse(lease.spec.renewTime);
      assert.ok(age < 15_000, `${w}'s lease renewed ${age} ms ago`);
      assert.equal(ready(await c!.json("get", "node", name(w))), "True");
    }
    await until(
      "the stopped master to leave the kubernetes Endpoints",
      async () => {
        const ep = await c!.json("get", "endpoints", "kubernetes", "-n", "default");
        return ep.subsets?.[0]?.addresses?.length === 2 ? true : undefined;
      },
      40_000,
    );
    await writer.stop();
    const stats = writer.stats();
    process.stderr.write(
      `# leaders moved in ${takeoverMs} ms (lease duration 10 s); longest write gap ${stats.gapMs} ms; ${writer.acknowledged.length} writes acknowledged, ${stats.failures} failed\n`,
    );
    assert.ok(takeoverMs < 15_000, `leaders moved in ${takeoverMs} ms`);
    // Every acknowledged write is there.
    const names = new Set(
      ((await c!.json("get", "configmaps", "-n", "default")).items as Obj[]).map(
        (cm) => cm.metadata.name,
      ),
    );
    const lost = writer.acknowledged.filter((n) => !names.has(n));
    assert.deepEqual(lost, []);
  }

  it("refuses writes plainly with two masters down, and heals when they return", async () => {
    assert.ok(stopped, "the failover test stopped a master");
    const second = ["master1", "master2", "master3"].map(name).find((n) => n !== stopped)!;
    await c!.node("stop", second);
    const refusal = await until(
      "a write to be refused for the lost etcd quorum",
      async () => {
        try {
          await c!.k("create", "configmap", `q-${Date.now()}`);
          return undefined;
        } catch (err) {
          // A connection to the master just stopped breaks (EOF) until the balancer's probe
          // takes it out: not the answer this waits for.
          const message = (err as Error).message;
          return /: EOF|connection refused|connection reset/.test(message) ? undefined : message;
        }
      },
      60_000,
    );
    assert.match(refusal, /etcd/i);
    process.stderr.write(`# with two masters down: ${refusal.split("\n")[0]?.slice(0, 300)}\n`);
    await c!.node("start", stopped!);
    await c!.node("start", second);
    await until(
      "writes to work again",
      async () => {
        await c!.k("create", "configmap", `healed-${Date.now()}`);
        return true;
      },
      120_000,
    );
    await until(
      "five Ready nodes and three masters in the Endpoints",
      async () => {
        const nodes = (await c!.json("get", "nodes")).items as Obj[];
        const ep = await c!.json("get", "endpoints", "kubernetes", "-n", "default");
        return nodes.filter((n) => ready(n) === "True").length === 5 &&
          ep.subsets?.[0]?.addresses?.length === 3
          ? true
          : undefined;
      },
      120_000,
    );
  });
});
