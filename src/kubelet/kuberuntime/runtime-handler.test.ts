/**
 * The RuntimeClass → CRI runtime handler step of the sandbox: the handler reaches RunPodSandbox,
 * and a missing class or an unconfigured handler leaves the pod in ContainerCreating with a
 * FailedCreatePodSandBox event, as upstream.
 */
import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import { type RuntimeFixture, runtimeFixture, testPod } from "./testing.ts";

let f: RuntimeFixture;
beforeEach(() => {
  f = runtimeFixture();
});
afterEach(() => f.cleanup());

const runtimeClass = (name: string, handler: string) => ({
  apiVersion: "node.k8s.io/v1",
  kind: "RuntimeClass",
  metadata: { name },
  handler,
});

describe("runtime handler", () => {
  it("runs a pod without a class on the default handler", async () => {
    await f.runtime.syncPod(testPod());
    assert.deepEqual(
      f.cri.calls.filter((c) => c.startsWith("RunPodSandbox")),
      ["RunPodSandbox web"],
    );
    const [sandbox] = await f.cri.listPodSandbox();
    assert.equal(sandbox?.runtime_handler, "");
  });

  it("passes the class's handler to RunPodSandbox", async () => {
    f.objects.runtimeClasses.set("gvisor", runtimeClass("gvisor", "runsc"));
    const status = await f.runtime.syncPod(testPod({ runtimeClassName: "gvisor" }));
    assert.ok(f.cri.calls.includes("RunPodSandbox web handler=runsc"));
    const [sandbox] = await f.cri.listPodSandbox();
    assert.equal(sandbox?.runtime_handler, "runsc");
    assert.equal(status.containers[0]?.state, "running");
  });

  it("fails the sandbox of a pod whose class is missing, until the class exists", async () => {
    const pod = testPod({ runtimeClassName: "kata" });
    const status = await f.runtime.syncPod(pod);
    assert.equal(f.cri.sandboxes.size, 0);
    assert.equal(status.containers[0]?.state, "waiting");
    assert.equal(status.containers[0]?.reason, "ContainerCreating");
    assert.deepEqual(f.events, [
      'Warning FailedCreatePodSandBox Failed to create pod sandbox: runtimeclass.node.k8s.io "kata" not found',
    ]);
    // The kubelet retries: once the class exists the pod starts with its handler.
    f.objects.runtimeClasses.set("kata", runtimeClass("kata", "kata-qemu"));
    f.clock.advance(2100);
    assert.ok(f.changes.includes("default/web"));
    const next = await f.runtime.syncPod(pod);
    assert.equal(next.containers[0]?.state, "running");
    const [sandbox] = await f.cri.listPodSandbox();
    assert.equal(sandbox?.runtime_handler, "kata-qemu");
  });

  it("reports the runtime's refusal of a handler it does not have", async () => {
    f.cri.runtimeHandlers = new Set(["runsc"]);
    f.objects.runtimeClasses.set("kata", runtimeClass("kata", "kata"));
    const status = await f.runtime.syncPod(testPod({ runtimeClassName: "kata" }));
    assert.equal(status.containers[0]?.reason, "ContainerCreating");
    assert.deepEqual(f.events, [
      'Warning FailedCreatePodSandBox Failed to create pod sandbox: rpc error: code = Unknown desc = failed to get sandbox runtime: no runtime for "kata" is configured',
    ]);
  });

  it("reports a failed lookup", async () => {
    f.objects.runtimeClass = async () => {
      throw new Error("connection refused");
    };
    await f.runtime.syncPod(testPod({ runtimeClassName: "kata" }));
    assert.deepEqual(f.events, [
      "Warning FailedCreatePodSandBox Failed to create pod sandbox: failed to lookup RuntimeClass kata: connection refused",
    ]);
  });
});
