/**
 * What a stopped node leaves behind. Pods outlive their agent, as upstream's kubelet leaves them:
 * a `bosun server` stopped with a pod running keeps the pod's shim and its `/run/bosun/<id>` state,
 * and started again adopts the same container; stopped with no pod, it removes the run dir. The
 * test harnesses (PrivateContainerd, TestServer.dispose) leave no shim, container or mount behind.
 * Needs root and containerd; the pods use the pause image every node imports (no registry).
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync, renameSync } from "node:fs";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { nodeDirs } from "../../src/cli/containerd-node.ts";
import { shimPids } from "../../src/kubelet/containerd/run-dir.ts";
import { CriClient } from "../../src/kubelet/cri/grpc-client.ts";
import { ensurePauseImage, PAUSE_IMAGE } from "../../src/kubelet/images/pause-image.ts";
import { childrenOf, mountsUnder, podCgroups, shimsServing } from "./lib/node-cleanup.ts";
import { PrivateContainerd } from "./lib/private-containerd.ts";
import { run, TestServer } from "./lib/server.ts";
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

/** A pod that reports Running with its container ready (it may take a new sandbox to get there). */
async function running(server: TestServer, name: string) {
  return until(
    `${name} to run`,
    async () => {
      const p = await server.json("get", "pod", name);
      return p.status.phase === "Running" && p.status.containerStatuses?.[0]?.ready && p;
    },
    60_000,
  );
}

/** Runs a pause pod on the test's node (no registry: every node imports the pause image). */
async function runPod(server: TestServer, name: string) {
  await server.k(
    "run",
    name,
    `--image=${PAUSE_IMAGE}`,
    "--image-pull-policy=IfNotPresent",
    `--overrides={"spec":{"nodeName":"${nodeName}"}}`,
  );
  return running(server, name);
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
    const before = await runPod(server, "keeper");
    const containerID = before.status.containerStatuses[0].containerID;

    assert.equal(await server.stop(), 0);
    assert.ok(existsSync(d.run), "the run dir stays while the pod runs");
    assert.ok(shimsServing(d.socket).length > 0, "the pod's shim outlives the agent");

    await server.launch();
    const after = await running(server, "keeper");
    assert.equal(after.status.containerStatuses[0].containerID, containerID);
    assert.equal(after.status.containerStatuses[0].restartCount, 0);

    await server.k("delete", "pod", "keeper", "--grace-period=1", "--timeout=60s");
    assert.equal(await server.stop(), 0);
    assert.ok(!existsSync(d.run), "no pod: the run dir is removed");
    assert.deepEqual(shimsServing(d.socket), []);
    assert.deepEqual(mountsUnder(d.run), []);
  });

  it("finishes the task deletions a stopped containerd left half-done", async () => {
    const server = s!;
    const d = nodeDirs(server.dataDir);
    const tasks = join(d.run, "state/io.containerd.runtime.v2.task/k8s.io");
    await server.launch();
    const pod = await runPod(server, "halfway");
    const container = (pod.status.containerStatuses[0].containerID as string).split("//")[1]!;
    const cri = new CriClient({ socket: d.socket });
    const sandboxes = await cri.listPodSandbox().finally(() => cri.close());
    const sandbox = sandboxes.find((p) => p.metadata.uid === pod.metadata.uid)!.id;
    assert.equal(await server.stop(), 0);
    const [shim] = shimPids(d.socket, sandbox);
    assert.ok(shim, "the pod's shim outlives the agent");

    // What containerd leaves when stopped in the middle of deleting the pod's tasks (as when a
    // node is stopped while pods terminate): runc has deleted both containers, the sandbox's
    // shim still runs, and the container's bundle was renamed for removal.
    const runcRoot = join(d.run, "runc/k8s.io");
    for (const id of [container, sandbox]) {
      const r = await run("runc", ["--root", runcRoot, "delete", "--force", id]);
      assert.equal(r.code, 0, r.stderr);
    }
    renameSync(join(tasks, container), join(tasks, `.${container}`));

    await server.launch();
    // The shim is killed first, then the bundles are unmounted and removed: wait for all of it.
    await until(
      "the abandoned shim and bundles to go",
      async () =>
        !alive(shim) &&
        !existsSync(join(tasks, sandbox)) &&
        !existsSync(join(tasks, `.${container}`)),
    );
    await running(server, "halfway"); // in a new sandbox
    await server.k("delete", "pod", "halfway", "--grace-period=1", "--timeout=60s");
    assert.equal(await server.stop(), 0);
    assert.deepEqual(shimsServing(d.socket), []);
    assert.ok(!existsSync(d.run), "no pod: the run dir is removed");
  });

  it("TestServer.dispose leaves nothing of a node that still runs pods", async () => {
    const server = s!;
    const d = nodeDirs(server.dataDir);
    await server.launch();
    const left = await runPod(server, "left");
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
