/**
 * The kubelet with the CRI runtime over the fake CRI, against an in-process API server: the node
 * is NotReady until its pod network is, pod status reaches the API (Running with the sandbox IP,
 * CrashLoopBackOff), finished pods keep their containers, a RuntimeClass's handler reaches
 * RunPodSandbox, deletion kills then removes the pod,
 * and a force-deleted pod's containers are found and killed by housekeeping.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { Node, Pod } from "../api/generated/types.ts";
import { resourcePath, resources } from "../client/resources.ts";
import { eventually, startTestApi, type TestApi } from "../client/testing/test-api.ts";
import { realClock } from "../machinery/clock.ts";
import { FakeCri } from "./cri/fake-cri.ts";
import { Kubelet } from "./kubelet.ts";
import { ContainerdRuntime } from "./kuberuntime/containerd-runtime.ts";
import { ApiPodObjects } from "./pod-objects.ts";
import { InformerPodSource } from "./pod-source.ts";
import { FakeMounter } from "./volumes/mounter.ts";
import { VolumeManager } from "./volumes/volume-manager.ts";

describe("kubelet on the CRI runtime", () => {
  let api: TestApi;
  const stop = new AbortController();
  const cri = new FakeCri({ images: ["busybox:1.36"] });
  const root = mkdtempSync(join(tmpdir(), "bosun-kubelet-cri-"));
  cri.networkReady = false;

  before(async () => {
    api = await startTestApi();
    const pods = new InformerPodSource(api.client);
    void pods.run(stop.signal);
    await pods.synced();
    const objects = new ApiPodObjects(api.client);
    const allocatable = { cpu: "2", memory: "4Gi", pods: "110" };
    let kubelet: Kubelet | undefined;
    const runtime = new ContainerdRuntime({
      runtime: cri,
      images: cri,
      objects,
      volumes: new VolumeManager({
        rootDir: join(root, "kubelet"),
        objects,
        mounter: new FakeMounter(),
        clock: realClock,
        allocatable,
      }),
      cgroups: { remove: () => {} },
      version: "fake://1.0.0",
      node: { name: "n1", internalIP: "192.168.1.10", allocatable, memoryCapacityBytes: 4 << 30 },
      podLogsDir: join(root, "logs"),
      dns: {
        clusterDNS: ["10.96.0.10"],
        clusterDomain: "cluster.local",
        hostResolvConf: undefined,
      },
      onChange: (key) => kubelet?.notify(key),
    });
    kubelet = new Kubelet({
      client: api.client,
      pods,
      runtime,
      housekeepingMs: 200,
      node: {
        name: "n1",
        internalIP: "192.168.1.10",
        capacity: allocatable,
        allocatable,
        kernelVersion: "6.1",
        osImage: "Test",
        runtimeVersion: runtime.version,
        machineID: "m",
        bootID: "b",
      },
    });
    runtime.run(stop.signal);
    void kubelet.run(stop.signal);
  });
  after(async () => {
    stop.abort();
    await api.stop();
    rmSync(root, { recursive: true, force: true });
  });

  const podPath = (name = "") => resourcePath(resources.pods, "default", name);
  const getPod = (name: string) => api.client.get<Pod>(podPath(name)).catch(() => undefined);
  const create = (name: string, spec: Record<string, unknown>) =>
    api.client.create(podPath(), {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name },
      spec: {
        nodeName: "n1",
        terminationGracePeriodSeconds: 2,
        containers: [{ name: "app", image: "busybox:1.36", imagePullPolicy: "IfNotPresent" }],
        ...spec,
      },
    });
  const ready = async () => {
    const node = await api.client
      .get<Node>(resourcePath(resources.nodes, "", "n1"))
      .catch(() => undefined);
    return node?.status?.conditions?.find((c) => c.type === "Ready")?.status;
  };

  it("is NotReady until the runtime reports the pod network ready", async () => {
    assert.equal(await eventually(ready), "False");
    cri.networkReady = true;
    assert.equal(await eventually(async () => (await ready()) === "True" && "True", 5000), "True");
  });

  it("reports a running pod with its sandbox IP", async () => {
    await create("web", {});
    const pod = await eventually(async () => {
      const p = await getPod("web");
      return p?.status?.phase === "Running" && p;
    });
    assert.match(pod.status?.podIP ?? "", /^10\.244\.0\.\d+$/);
    assert.equal(pod.status?.containerStatuses?.[0]?.ready, true);
    assert.equal(pod.status?.conditions?.find((c) => c.type === "Ready")?.status, "True");
  });

  it("shows CrashLoopBackOff for a container that keeps exiting", async () => {
    await create("crash", {});
    const running = async () =>
      [...cri.containers.values()].find(
        (c) =>
          c.config.labels?.["io.kubernetes.pod.name"] === "crash" &&
          c.status.state === "CONTAINER_RUNNING",
      );
    cri.exit((await eventually(running))!.status.id, 1);
    await eventually(
      async () => (await getPod("crash"))?.status?.containerStatuses?.[0]?.restartCount === 1,
    );
    cri.exit((await eventually(running))!.status.id, 1);
    const cs = await eventually(async () => {
      const s = (await getPod("crash"))?.status?.containerStatuses?.[0];
      return s?.state?.waiting?.reason === "CrashLoopBackOff" && s;
    });
    assert.match(cs.state?.waiting?.message ?? "", /^back-off 10s restarting failed container=app/);
    assert.equal(cs.lastState?.terminated?.exitCode, 1);
  });

  it("keeps a finished pod's containers and stops its sandbox", async () => {
    await create("job", { restartPolicy: "Never" });
    const c = await eventually(async () =>
      [...cri.containers.values()].find(
        (x) =>
          x.config.labels?.["io.kubernetes.pod.name"] === "job" &&
          x.status.state === "CONTAINER_RUNNING",
      ),
    );
    cri.exit(c.status.id, 0);
    await eventually(async () => (await getPod("job"))?.status?.phase === "Succeeded");
    await eventually(() => cri.sandboxes.get(c.sandboxId)?.status.state === "SANDBOX_NOTREADY");
    assert.ok(
      cri.containers.has(c.status.id),
      "the container (and its log) stays until the pod is deleted",
    );
  });

  it("runs a pod of a RuntimeClass with its handler and overhead; refuses a missing class", async () => {
    await assert.rejects(
      () => create("nowhere", { runtimeClassName: "missing" }),
      /pod rejected: RuntimeClass "missing" not found/,
    );
    await api.client.create(resourcePath(resources.runtimeclasses), {
      apiVersion: "node.k8s.io/v1",
      kind: "RuntimeClass",
      metadata: { name: "gvisor" },
      handler: "runsc",
      overhead: { podFixed: { cpu: "100m" } },
    });
    // Admission reads the watch cache, which may lag the create by a moment.
    await eventually(() => create("sandboxed", { runtimeClassName: "gvisor" }).catch(() => false));
    const pod = await eventually(async () => {
      const p = await getPod("sandboxed");
      return p?.status?.phase === "Running" && p;
    });
    assert.deepEqual(pod.spec?.overhead, { cpu: "100m" });
    const sandbox = [...cri.sandboxes.values()].find((s) => s.config.metadata.name === "sandboxed");
    assert.equal(sandbox?.status.runtime_handler, "runsc");
    await api.client.delete(podPath("sandboxed"), { gracePeriodSeconds: 0 });
  });

  it("kills a deleted pod with its grace period, then removes it from the API", async () => {
    await api.client.delete(podPath("web"));
    await eventually(async () => (await getPod("web")) === undefined);
    assert.ok(cri.calls.some((c) => /^StopContainer \w+ 2$/.test(c)));
    assert.equal(
      [...cri.sandboxes.values()].some((s) => s.config.metadata.name === "web"),
      false,
    );
  });

  it("kills the containers of a force-deleted pod", async () => {
    await api.client.delete(podPath("crash"), { gracePeriodSeconds: 0 });
    await eventually(
      () => ![...cri.sandboxes.values()].some((s) => s.config.metadata.name === "crash"),
    );
  });
});
