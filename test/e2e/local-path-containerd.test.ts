/**
 * Local-path volumes on a real node: `bosun server` running its own node (containerd, kubelet)
 * and kubectl 1.34. A pod writes into a claim of the default `local-path` class; the data lands
 * in `<data-dir>/storage/pvc-<uid>_<ns>_<claim>` on this machine and outlives the pod (a second
 * pod reads it back); deleting the claim deletes the volume and its directory.
 *
 * Needs root and the packages of scripts/install-deps (containerd, runc, CNI plugins, ...).
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { tearDownNode } from "./lib/node-cleanup.ts";
import { TestRegistry } from "./lib/registry.ts";
import { TestServer } from "./lib/server.ts";
import { until } from "./lib/wait.ts";

const nodeName = "e2e-storage-node";
const canRun = process.getuid?.() === 0 && existsSync("/usr/bin/containerd");

const pod = (name: string, command: string) => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name },
  spec: {
    terminationGracePeriodSeconds: 1,
    restartPolicy: "Never",
    containers: [
      {
        name: "app",
        image: "busybox:1.36",
        command: ["sh", "-c", command],
        volumeMounts: [{ name: "data", mountPath: "/data" }],
      },
    ],
    volumes: [{ name: "data", persistentVolumeClaim: { claimName: "data" } }],
  },
});

describe("local-path volumes on a real node", {
  skip: canRun ? false : "needs root and containerd",
}, () => {
  let registry: TestRegistry;
  let s: TestServer;

  before(async () => {
    registry = await TestRegistry.start({ images: ["busybox", "registry.k8s.io/pause"] });
    s = await TestServer.start({
      agent: true,
      args: [...registry.agentArgs(), "--node-name", nodeName],
    });
  });

  after(() => tearDownNode(s, ["stop registry", () => registry?.stop()]));

  it("keeps a pod's data in <data-dir>/storage and removes it with the claim", async () => {
    const storage = join(s.dataDir, "storage");
    await until("the node to publish its storage dir", async () => {
      const n = await s.json("get", "node", nodeName);
      return n.metadata.annotations?.["local-path.bosun.dev/storage-dir"] === storage;
    });
    const claim = {
      apiVersion: "v1",
      kind: "PersistentVolumeClaim",
      metadata: { name: "data" },
      spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "64Mi" } } },
    };
    for (const obj of [claim, pod("writer", "echo hello > /data/greeting")]) {
      const r = await s.kubectl(["apply", "-f", "-"], { input: JSON.stringify(obj) });
      assert.equal(r.code, 0, r.stderr);
    }
    await until("the writer to succeed", async () => {
      return (await s.json("get", "pod", "writer")).status.phase === "Succeeded";
    });
    const bound = await s.json("get", "pvc", "data");
    assert.equal(bound.status.phase, "Bound");
    const pv = await s.json("get", "pv", bound.spec.volumeName);
    const dir = join(storage, `${bound.spec.volumeName}_default_data`);
    assert.equal(pv.spec.hostPath.path, dir);
    assert.equal(readFileSync(join(dir, "greeting"), "utf8"), "hello\n");
    assert.equal(statSync(dir).mode & 0o777, 0o777);

    // The data outlives the pod.
    await s.k("delete", "pod", "writer");
    const r = await s.kubectl(["apply", "-f", "-"], {
      input: JSON.stringify(pod("reader", "grep -qx hello /data/greeting")),
    });
    assert.equal(r.code, 0, r.stderr);
    const reader = await until("the reader to finish", async () => {
      const p = await s.json("get", "pod", "reader");
      return ["Succeeded", "Failed"].includes(p.status.phase) ? p : undefined;
    });
    assert.equal(reader.status.containerStatuses[0].state.terminated.exitCode, 0);
    assert.equal(reader.status.phase, "Succeeded");

    // Deleting the claim (once no pod uses it) deletes the volume and its directory.
    await s.k("delete", "pod", "reader");
    await s.k("delete", "pvc", "data");
    await until("the volume to go", async () => {
      return (await s.kubectl(["get", "pv", bound.spec.volumeName])).code !== 0;
    });
    assert.equal(existsSync(dir), false);
  });
});
