/**
 * What a stopped node leaves behind. Pods outlive their agent, as upstream's kubelet leaves them:
 * a `bosun server` stopped with a pod running keeps the pod's shim and its `/run/bosun/<id>` state,
 * and started again adopts the same container; stopped with no pod, it removes the run dir. The
 * test harnesses (PrivateContainerd, TestServer.dispose) leave no shim, container or mount behind.
 * Needs root and containerd; the pods use the pause image every node imports (no registry).
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { nodeDirs } from "../../src/cli/containerd-node.ts";
import { ensurePauseImage, PAUSE_IMAGE } from "../../src/kubelet/images/pause-image.ts";
import { childrenOf, mountsUnder, podCgroups, shimsServing } from "./lib/node-cleanup.ts";
import { PrivateContainerd } from "./lib/private-containerd.ts";
import { TestServer } from "./lib/server.ts";
import { until } from "./lib/wait.ts";

const canRun = process.getuid?.() === 0 && existsSync("/usr/bin/containerd");
const nodeName = `leftovers-${process.pid}`;

function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false;
  }
}

describe("node leftovers", { skip: canRun ? false : "needs root and containerd" }, () => {
  let s: TestServer | undefined;
  after(async () => {
    await s?.dispose();
  });

  it("PrivateContainerd stops a task's shim and container with itself", async () => {
    const containerd = await PrivateContainerd.start();
    let shims: number[] = [];
    let tasks: number[] = [];
    try {
      await ensurePauseImage({ socket: containerd.socket, namespace: "k8s.io" });
      const id = `leftover-${process.pid}`;
      // Its runc state under the private dir, as the CRI plugin's (else it lands in
      // /run/containerd/runc and outlives the test).
      const runcRoot = join(containerd.dir, "runc");
      const r = await containerd.ctr(["run", "-d", "--runc-root", runcRoot, PAUSE_IMAGE, id]);
      assert.equal(r.code, 0, r.stderr);
      shims = shimsServing(containerd.socket);
      assert.equal(shims.length, 1, "one shim serves the task");
      tasks = childrenOf(shims);
      assert.equal(tasks.length, 1, "the task runs under its shim");
    } finally {
      await containerd.stop();
    }
    assert.deepEqual(shimsServing(containerd.socket), []);
    // Gone, or a zombie its (non-reaping) parent has not collected yet.
    for (const pid of shims) assert.ok(!alive(pid), `shim ${pid} still runs`);
    for (const pid of tasks) assert.ok(!alive(pid), `task ${pid} still runs`);
    assert.ok(!existsSync(`/run/containerd/runc/k8s.io/leftover-${process.pid}`));
    assert.ok(!existsSync(containerd.dir));
  });

  it("keeps a running pod across a server restart and removes the idle run dir", async () => {
    s = await TestServer.start({ agent: true, args: ["--node-name", nodeName] });
    const server = s;
    const d = nodeDirs(server.dataDir);
    await server.k(
      "run",
      "keeper",
      `--image=${PAUSE_IMAGE}`,
      "--image-pull-policy=IfNotPresent",
      `--overrides={"spec":{"nodeName":"${nodeName}"}}`,
    );
    const running = async () => {
      const p = await server.json("get", "pod", "keeper");
      return p.status.phase === "Running" && p.status.containerStatuses?.[0]?.ready && p;
    };
    const before = await until("the pod to run", running, 60_000);
    const containerID = before.status.containerStatuses[0].containerID;

    assert.equal(await server.stop(), 0);
    assert.ok(existsSync(d.run), "the run dir stays while the pod runs");
    assert.ok(shimsServing(d.socket).length > 0, "the pod's shim outlives the agent");

    await server.launch();
    const after = await until("the pod to be adopted", running, 60_000);
    assert.equal(after.status.containerStatuses[0].containerID, containerID);
    assert.equal(after.status.containerStatuses[0].restartCount, 0);

    await server.k("delete", "pod", "keeper", "--grace-period=1", "--timeout=60s");
    assert.equal(await server.stop(), 0);
    assert.ok(!existsSync(d.run), "no pod: the run dir is removed");
    assert.deepEqual(shimsServing(d.socket), []);
    assert.deepEqual(mountsUnder(d.run), []);
  });

  it("TestServer.dispose leaves nothing of a node that still runs pods", async () => {
    const server = s!;
    const d = nodeDirs(server.dataDir);
    await server.launch();
    await server.k(
      "run",
      "left",
      `--image=${PAUSE_IMAGE}`,
      "--image-pull-policy=IfNotPresent",
      `--overrides={"spec":{"nodeName":"${nodeName}"}}`,
    );
    const left = await until(
      "the pod to run",
      async () => {
        const p = await server.json("get", "pod", "left");
        return p.status.phase === "Running" && p;
      },
      60_000,
    );
    const uid = left.metadata.uid as string;
    assert.notDeepEqual(podCgroups(uid), [], "the running pod has its cgroup");
    assert.ok(shimsServing(d.socket).length > 0);
    s = undefined;
    await server.dispose();
    assert.deepEqual(shimsServing(d.socket), []);
    assert.deepEqual([...mountsUnder(d.run), ...mountsUnder(server.dataDir)], []);
    assert.ok(!existsSync(d.run));
    assert.ok(!existsSync(server.dataDir));
    assert.deepEqual(podCgroups(uid), []);
  });
});
