/**
 * ContainerdRuntime against the fake CRI with a fake clock: sandbox and containers, restarts with
 * CrashLoopBackOff, restart policies, init containers in order, image pull errors, config
 * errors, and termination that leaves nothing behind.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, it } from "node:test";
import type { Container } from "../cri/types.ts";
import type { Pod } from "../pod-source.ts";
import { type RuntimeFixture, runtimeFixture, testPod } from "./testing.ts";

let f: RuntimeFixture;
beforeEach(() => {
  f = runtimeFixture();
});
afterEach(() => f.cleanup());

const running = async (name = "app") =>
  (await f.cri.listContainers()).filter(
    (c: Container) => c.metadata.name === name && c.state === "CONTAINER_RUNNING",
  );

describe("ContainerdRuntime.syncPod", () => {
  it("creates the sandbox and starts the containers, reporting the pod IP", async () => {
    const pod = testPod();
    const status = await f.runtime.syncPod(pod);
    assert.match(status.podIP ?? "", /^10\.244\.0\.\d+$/);
    assert.equal(status.containers[0]?.state, "running");
    assert.equal(status.containers[0]?.ready, true);
    assert.match(status.containers[0]?.containerID ?? "", /^containerd:\/\//);
    const [sandbox] = f.cri.sandboxes.values();
    assert.equal(sandbox?.config.metadata.attempt, 0);
    assert.equal(sandbox?.config.hostname, "web");
    assert.deepEqual(sandbox?.config.dns_config?.searches?.slice(0, 3), [
      "default.svc.cluster.local",
      "svc.cluster.local",
      "cluster.local",
    ]);
    assert.equal(
      sandbox?.config.linux?.cgroup_parent,
      `/kubepods/besteffort/pod${pod.metadata?.uid}`,
    );
    const [c] = f.cri.containers.values();
    assert.equal(c?.config.log_path, "app/0.log");
    assert.ok(c?.config.mounts?.some((m) => m.container_path === "/etc/hosts"));
    const hosts = readFileSync(
      join(f.root, "kubelet", "pods", pod.metadata!.uid!, "etc-hosts"),
      "utf8",
    );
    assert.match(hosts, new RegExp(`${status.podIP}\\tweb`));
    // A second sync changes nothing.
    const calls = f.cri.calls.length;
    await f.runtime.syncPod(pod);
    assert.deepEqual(f.cri.calls.slice(calls), []);
  });

  it("restarts an exited container at once, then backs off 10 s, 20 s (CrashLoopBackOff)", async () => {
    const pod = testPod();
    await f.runtime.syncPod(pod);
    f.cri.exit((await running())[0]!.id, 1);
    let status = await f.runtime.syncPod(pod);
    assert.equal(status.containers[0]?.state, "running");
    assert.equal(status.containers[0]?.restartCount, 1);
    assert.equal(status.containers[0]?.lastTermination?.exitCode, 1);

    f.clock.advance(1000);
    f.cri.exit((await running())[0]!.id, 2);
    status = await f.runtime.syncPod(pod);
    assert.equal(status.containers[0]?.state, "waiting");
    assert.equal(status.containers[0]?.reason, "CrashLoopBackOff");
    assert.match(
      status.containers[0]?.message ?? "",
      /^back-off 10s restarting failed container=app pod=web_default\(uid-\d+\)$/,
    );
    assert.equal(status.containers[0]?.restartCount, 1);
    assert.equal(status.containers[0]?.lastTermination?.exitCode, 2);
    assert.ok(
      f.events.some((e) =>
        e.startsWith("Warning BackOff Back-off restarting failed container app"),
      ),
    );

    f.changes.length = 0;
    f.clock.advance(10_100);
    assert.deepEqual(f.changes, ["default/web"], "the back-off's end wakes the pod");
    status = await f.runtime.syncPod(pod);
    assert.equal(status.containers[0]?.state, "running");
    assert.equal(status.containers[0]?.restartCount, 2);

    f.cri.exit((await running())[0]!.id, 3);
    status = await f.runtime.syncPod(pod);
    assert.match(status.containers[0]?.message ?? "", /^back-off 20s /);
    // Only the newest two instances are kept.
    const instances = [...f.cri.containers.values()].filter(
      (c) => c.config.metadata.name === "app",
    );
    assert.deepEqual(instances.map((c) => c.config.metadata.attempt).sort(), [1, 2]);
  });

  it("honours restartPolicy Never and OnFailure", async () => {
    const never = testPod({ restartPolicy: "Never" });
    await f.runtime.syncPod(never);
    f.cri.exit((await running())[0]!.id, 1);
    let status = await f.runtime.syncPod(never);
    assert.equal(status.containers[0]?.state, "terminated");
    assert.equal(status.containers[0]?.exitCode, 1);
    assert.equal(status.containers[0]?.reason, "Error");

    const onFailure = testPod({ restartPolicy: "OnFailure" }, "job");
    await f.runtime.syncPod(onFailure);
    const id = [...f.cri.containers.values()].find(
      (c) => c.config.labels?.["io.kubernetes.pod.name"] === "job",
    )!.status.id;
    f.cri.exit(id, 0);
    status = await f.runtime.syncPod(onFailure);
    assert.equal(status.containers[0]?.state, "terminated");
    assert.equal(status.containers[0]?.reason, "Completed");
  });

  it("runs init containers one at a time before the app containers", async () => {
    const pod = testPod({
      initContainers: [
        { name: "init-1", image: "busybox:1.36", imagePullPolicy: "IfNotPresent" },
        { name: "init-2", image: "busybox:1.36", imagePullPolicy: "IfNotPresent" },
      ],
    });
    let status = await f.runtime.syncPod(pod);
    assert.deepEqual(
      status.initContainers.map((c) => c.state),
      ["running", "waiting"],
    );
    assert.equal(status.containers[0]?.reason, "PodInitializing");
    f.cri.exit((await running("init-1"))[0]!.id, 0);
    status = await f.runtime.syncPod(pod);
    assert.deepEqual(
      status.initContainers.map((c) => c.state),
      ["terminated", "running"],
    );
    f.cri.exit((await running("init-2"))[0]!.id, 0);
    status = await f.runtime.syncPod(pod);
    assert.equal(status.containers[0]?.state, "running");
    const order = f.cri.calls.filter((c) => c.startsWith("CreateContainer"));
    assert.deepEqual(order, [
      "CreateContainer init-1",
      "CreateContainer init-2",
      "CreateContainer app",
    ]);
  });

  it("starts an ephemeral container once, in its target's process namespace (kubectl debug)", async () => {
    const pod = testPod();
    await f.runtime.syncPod(pod);
    const [app] = await running("app");
    const debug: Pod = {
      ...pod,
      spec: {
        ...pod.spec!,
        ephemeralContainers: [
          {
            name: "debugger",
            image: "busybox:1.36",
            imagePullPolicy: "IfNotPresent" as const,
            stdin: true,
            tty: true,
            targetContainerName: "app",
          },
        ],
      },
    };
    let status = await f.runtime.syncPod(debug);
    assert.equal(status.ephemeralContainers?.[0]?.state, "running");
    assert.equal(status.containers[0]?.state, "running", "the app container goes on");
    const [c] = [...f.cri.containers.values()].filter((x) => x.config.metadata.name === "debugger");
    assert.deepEqual(c?.config.linux?.security_context?.namespace_options, {
      network: "POD",
      pid: "TARGET",
      ipc: "POD",
      target_id: app!.id,
    });
    assert.equal(c?.config.tty, true);
    // Once exited, it stays exited: ephemeral containers are never restarted.
    f.cri.exit((await running("debugger"))[0]!.id, 0);
    status = await f.runtime.syncPod(debug);
    assert.equal(status.ephemeralContainers?.[0]?.state, "terminated");
    assert.equal(
      f.cri.calls.filter((x) => x === "CreateContainer debugger").length,
      1,
      "started once",
    );
  });

  it("reports ErrImagePull, then ImagePullBackOff until the back-off ends", async () => {
    f.cri.failPulls.set(
      "nope:1",
      'failed to pull and unpack image "docker.io/library/nope:1": not found',
    );
    const pod = testPod({ containers: [{ name: "app", image: "nope:1" }] });
    let status = await f.runtime.syncPod(pod);
    assert.equal(status.containers[0]?.reason, "ErrImagePull");
    assert.match(
      status.containers[0]?.message ?? "",
      /^rpc error: code = NotFound desc = failed to pull/,
    );
    status = await f.runtime.syncPod(pod);
    assert.equal(status.containers[0]?.reason, "ImagePullBackOff");
    assert.equal(status.containers[0]?.message, 'Back-off pulling image "nope:1"');
    f.cri.failPulls.delete("nope:1");
    f.clock.advance(10_100);
    status = await f.runtime.syncPod(pod);
    assert.equal(status.containers[0]?.state, "running");
  });

  it("waits with CreateContainerConfigError for a missing config map key", async () => {
    f.objects.configMaps.set("default/cfg", { metadata: { name: "cfg" }, data: { a: "1" } });
    const pod = testPod({
      containers: [
        {
          name: "app",
          image: "busybox:1.36",
          imagePullPolicy: "IfNotPresent",
          env: [{ name: "B", valueFrom: { configMapKeyRef: { name: "cfg", key: "b" } } }],
        },
      ],
    });
    const status = await f.runtime.syncPod(pod);
    assert.equal(status.containers[0]?.reason, "CreateContainerConfigError");
    assert.equal(status.containers[0]?.message, "couldn't find key b in ConfigMap default/cfg");
  });

  it("never starts a pod whose volume cannot be set up (FailedMount)", async () => {
    const pod = testPod({ volumes: [{ name: "cfg", configMap: { name: "missing" } }] });
    const status = await f.runtime.syncPod(pod);
    assert.equal(f.cri.sandboxes.size, 0);
    assert.equal(status.containers[0]?.reason, "ContainerCreating");
    assert.ok(
      f.events.includes(
        'Warning FailedMount MountVolume.SetUp failed for volume "cfg" : configmap "missing" not found',
      ),
    );
  });
});

describe("ContainerdRuntime.killPod", () => {
  it("stops containers with the grace period and removes sandboxes, volumes, logs and cgroups", async () => {
    const pod = testPod({ volumes: [{ name: "secret", secret: { secretName: "s" } }] });
    f.objects.secrets.set("default/s", {
      metadata: { name: "s" },
      data: { k: Buffer.from("v").toString("base64") },
    });
    await f.runtime.syncPod(pod);
    const uid = pod.metadata!.uid!;
    const podDir = join(f.root, "kubelet", "pods", uid);
    assert.ok(existsSync(join(podDir, "volumes", "kubernetes.io~secret", "secret", "k")));
    assert.equal(f.mounter.mounts.size, 1, "secret volumes are on tmpfs");
    await f.runtime.killPod(pod, 7);
    assert.ok(f.cri.calls.some((c) => /^StopContainer \w+ 7$/.test(c)));
    assert.equal(f.cri.sandboxes.size, 0);
    assert.equal(f.cri.containers.size, 0);
    assert.equal(existsSync(podDir), false);
    assert.equal(f.mounter.mounts.size, 0);
    assert.ok(f.removedCgroups.includes(`/kubepods/besteffort/pod${uid}`));
    assert.deepEqual(await f.runtime.runningPods(), []);
  });

  it("gives every container at least 2 seconds", async () => {
    const pod = testPod();
    await f.runtime.syncPod(pod);
    await f.runtime.killPod(pod, 0);
    assert.ok(f.cri.calls.some((c) => /^StopContainer \w+ 2$/.test(c)));
  });
});
