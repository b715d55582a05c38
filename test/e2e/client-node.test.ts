/**
 * @kubernetes/client-node (2.x, under the project's Node 24) against the built server: typed
 * create, list, patch (merge, strategic and server-side apply), and an informer that keeps
 * watching across a server restart.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import * as k8s from "@kubernetes/client-node";
import { TestServer } from "./lib/server.ts";

async function eventually(check: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe("@kubernetes/client-node", () => {
  let s: TestServer;
  let kc: k8s.KubeConfig;
  let core: k8s.CoreV1Api;
  let apps: k8s.AppsV1Api;
  before(async () => {
    s = await TestServer.start();
    kc = new k8s.KubeConfig();
    kc.loadFromFile(s.kubeconfig);
    core = kc.makeApiClient(k8s.CoreV1Api);
    apps = kc.makeApiClient(k8s.AppsV1Api);
  });
  after(async () => {
    await s.dispose();
  });

  it("creates and lists through the typed API", async () => {
    const created = await core.createNamespacedConfigMap({
      namespace: "default",
      body: { metadata: { name: "typed", labels: { via: "client-node" } }, data: { a: "1" } },
    });
    assert.equal(created.metadata?.name, "typed");
    assert.ok(created.metadata?.resourceVersion);
    const list = await core.listNamespacedConfigMap({
      namespace: "default",
      labelSelector: "via=client-node",
    });
    assert.deepEqual(
      list.items.map((i) => i.metadata?.name),
      ["typed"],
    );
    const deployment = await apps.createNamespacedDeployment({
      namespace: "default",
      body: {
        metadata: { name: "typed-web" },
        spec: {
          selector: { matchLabels: { app: "typed" } },
          template: {
            metadata: { labels: { app: "typed" } },
            spec: { containers: [{ name: "web", image: "nginx:1.27" }] },
          },
        },
      },
    });
    assert.equal(deployment.spec?.replicas, 1);
  });

  it("patches with merge, strategic merge and server-side apply", async () => {
    const merge = k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.MergePatch);
    await core.patchNamespacedConfigMap(
      { name: "typed", namespace: "default", body: { data: { b: "2" } } },
      merge,
    );
    const smp = k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.StrategicMergePatch);
    await apps.patchNamespacedDeployment(
      {
        name: "typed-web",
        namespace: "default",
        body: {
          spec: { template: { spec: { containers: [{ name: "web", image: "nginx:1.28" }] } } },
        },
      },
      smp,
    );
    const ssa = k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.ServerSideApply);
    await core.patchNamespacedConfigMap(
      {
        name: "applied",
        namespace: "default",
        fieldManager: "client-node",
        body: {
          apiVersion: "v1",
          kind: "ConfigMap",
          metadata: { name: "applied" },
          data: { c: "3" },
        },
      },
      ssa,
    );
    assert.deepEqual(
      (await core.readNamespacedConfigMap({ name: "typed", namespace: "default" })).data,
      { a: "1", b: "2" },
    );
    const d = await apps.readNamespacedDeployment({ name: "typed-web", namespace: "default" });
    assert.equal(d.spec?.template.spec?.containers[0]?.image, "nginx:1.28");
    assert.deepEqual(
      (await core.readNamespacedConfigMap({ name: "applied", namespace: "default" })).data,
      { c: "3" },
    );
  });

  it("keeps an informer current across a server restart", async () => {
    const informer = k8s.makeInformer(kc, "/api/v1/namespaces/default/configmaps", () =>
      core.listNamespacedConfigMap({ namespace: "default" }),
    );
    const seen = new Set<string>();
    informer.on("add", (cm) => seen.add(cm.metadata?.name ?? ""));
    let stopped = false;
    informer.on("error", () =>
      setTimeout(() => {
        if (!stopped) void informer.start().catch(() => {});
      }, 500),
    );
    await informer.start();
    await core.createNamespacedConfigMap({
      namespace: "default",
      body: { metadata: { name: "before-restart" } },
    });
    await eventually(() => seen.has("before-restart"), 10_000, "the add before the restart");
    assert.equal(await s.stop(), 0);
    await s.launch();
    await core.createNamespacedConfigMap({
      namespace: "default",
      body: { metadata: { name: "after-restart" } },
    });
    await eventually(() => seen.has("after-restart"), 30_000, "the add after the restart");
    assert.ok(informer.list().some((cm) => cm.metadata?.name === "after-restart"));
    stopped = true;
    await informer.stop();
  });
});
