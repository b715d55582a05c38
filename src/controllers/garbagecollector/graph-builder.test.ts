/**
 * The graph builder's monitors ride on informers other controllers already run (no second watch
 * of pods), keep their own metadata-only informers for the rest, and take their handlers away
 * from a shared informer when the resource stops being monitored.
 */
import assert from "node:assert/strict";
import { after, before, it } from "node:test";
import type { KubeObject } from "../../api/object.ts";
import { InformerFactory } from "../../client/informer-factory.ts";
import { resourcePath, resources } from "../../client/resources.ts";
import { eventually, startTestApi, type TestApi } from "../../client/testing/test-api.ts";
import { WorkQueue } from "../../client/work-queue.ts";
import { silentLogger } from "../../machinery/log.ts";
import type { ApiResource } from "./discovery.ts";
import { AbsentOwnerCache } from "./graph.ts";
import { GraphBuilder } from "./graph-builder.ts";

let api: TestApi;
before(async () => {
  api = await startTestApi();
});
after(() => api.stop());

const pods: ApiResource = { gvr: resources.pods, kind: "Pod", apiVersion: "v1" };
const configMaps: ApiResource = { gvr: resources.configmaps, kind: "ConfigMap", apiVersion: "v1" };

it("shares the informers other controllers run, and leaves them when it stops monitoring", async () => {
  const stop = new AbortController();
  const factory = new InformerFactory(api.client, silentLogger);
  const podInformer = factory.informer<KubeObject>(resources.pods); // as a controller asks for it
  factory.start(stop.signal);
  const builder = new GraphBuilder({
    client: api.client,
    log: silentLogger,
    attemptToDelete: new WorkQueue<string>(),
    attemptToOrphan: new WorkQueue<string>(),
    absentOwnerCache: new AbsentOwnerCache(),
    shared: (gvr) => factory.existing(gvr),
  });
  try {
    builder.syncMonitors([pods, configMaps], stop.signal);
    assert.equal(builder.monitoredResources, 2);
    assert.equal(builder.sharedMonitors, 1, "pods through the shared informer, ConfigMaps alone");
    await builder.waitSynced(5000);
    const pod = (name: string) =>
      api.client.create<KubeObject>(resourcePath(resources.pods, "default"), {
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name },
        spec: { containers: [{ name: "c", image: "busybox" }] },
      });
    const a = await pod("gb-a");
    await eventually(() => builder.uidToNode.has(a.metadata!.uid!));
    const cm = await api.client.create<KubeObject>(resourcePath(resources.configmaps, "default"), {
      metadata: { name: "gb-cm" },
    });
    await eventually(() => builder.uidToNode.has(cm.metadata!.uid!));

    // Pods no longer monitored: the shared informer runs on without the graph's handlers.
    builder.syncMonitors([configMaps], stop.signal);
    assert.equal(builder.sharedMonitors, 0);
    const b = await pod("gb-b");
    await eventually(() => podInformer.get("default", "gb-b") !== undefined);
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(
      builder.uidToNode.has(b.metadata!.uid!),
      false,
      "a stopped monitor still saw a pod",
    );
  } finally {
    stop.abort();
  }
});
