/**
 * The ReplicationController manager against an in-process API server: pods created with owner
 * references of kind ReplicationController and events on the RC, status counters, scaling
 * through the scale subresource, adoption and release by the label-map selector, and the
 * garbage collector deleting (or, by v1's default, orphaning) an RC's pods.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { ReplicationController } from "../../api/generated/types.ts";
import { resourcePath, resources } from "../../client/resources.ts";
import { eventually } from "../../client/testing/test-api.ts";
import type { Pod } from "../common/objects.ts";
import {
  type ControllerHarness,
  listPods,
  markPodReady,
  startControllers,
  testPodSpec,
} from "../common/testing.ts";
import { newGarbageCollectorFactory } from "../garbagecollector/garbage-collector.ts";
import { newReplicationManager } from "./replication-controller.ts";

const ns = "default";
const rcPath = (name = "", subresource = "") =>
  resourcePath(resources.replicationcontrollers, ns, name, subresource);
const podPath = (name = "") => resourcePath(resources.pods, ns, name);

/** An RC whose selector and labels the API server defaults from the template. */
function rc(name: string, replicas: number, labels: Record<string, string>): ReplicationController {
  return {
    apiVersion: "v1",
    kind: "ReplicationController",
    metadata: { name, namespace: ns },
    spec: { replicas, template: { metadata: { labels }, spec: structuredClone(testPodSpec) } },
  };
}

interface Scale {
  spec: { replicas: number };
  status: { replicas: number; selector?: string };
}

describe("replication controller manager", () => {
  let h: ControllerHarness;
  const getRC = (name: string) => h.client.get<ReplicationController>(rcPath(name));
  const podCount = async (labels: Record<string, string>, n: number) =>
    (await listPods(h.client, ns, labels)).length === n;

  before(async () => {
    h = await startControllers({
      create: [
        (ctx) => newReplicationManager(ctx),
        (ctx) => newGarbageCollectorFactory().create(ctx),
      ],
    });
  });
  after(() => h.stop());

  it("creates owned pods, reports status and records events on the RC", async () => {
    const created = await h.client.create<ReplicationController>(
      rcPath(),
      rc("web", 3, { app: "web" }),
    );
    assert.deepEqual(created.spec?.selector, { app: "web" });
    const pods = await eventually(async () => {
      const list = await listPods(h.client, ns, { app: "web" });
      return list.length === 3 && list;
    });
    for (const pod of pods) {
      assert.match(pod.metadata?.name ?? "", /^web-[a-z0-9]{5}$/);
      assert.deepEqual(pod.metadata?.ownerReferences, [
        {
          apiVersion: "v1",
          kind: "ReplicationController",
          name: "web",
          uid: created.metadata?.uid,
          controller: true,
          blockOwnerDeletion: true,
        },
      ]);
    }
    await markPodReady(h.client, pods[0] as Pod);
    await markPodReady(h.client, pods[1] as Pod);
    const status = await eventually(async () => {
      const cur = await getRC("web");
      return cur.status?.readyReplicas === 2 && cur.status;
    });
    assert.equal(status.replicas, 3);
    assert.equal(status.fullyLabeledReplicas, 3);
    assert.equal(status.availableReplicas, 2);
    assert.equal(status.observedGeneration, 1);
    const events = await eventually(async () => {
      const list = await h.client.get<{
        items: { reason: string; message: string; involvedObject: { kind?: string } }[];
      }>(resourcePath(resources.events, ns));
      const ours = list.items.filter((e) => e.reason === "SuccessfulCreate");
      return ours.length >= 3 && ours;
    });
    assert.match(events[0]?.message ?? "", /^Created pod: web-/);
    assert.equal(events[0]?.involvedObject.kind, "ReplicationController");
  });

  it("scales through the scale subresource, deleting not-ready pods first", async () => {
    const scale = await h.client.get<Scale>(rcPath("web", "scale"));
    assert.deepEqual([scale.spec.replicas, scale.status.selector], [3, "app=web"]);
    const ready = (await listPods(h.client, ns, { app: "web" }))
      .filter((p) => p.status?.phase === "Running")
      .map((p) => p.metadata?.name);
    await h.client.patch(rcPath("web", "scale"), "merge", { spec: { replicas: 2 } });
    const pods = await eventually(async () => {
      const list = await listPods(h.client, ns, { app: "web" });
      return list.length === 2 && list;
    });
    assert.deepEqual(pods.map((p) => p.metadata?.name).sort(), ready.sort());
    await eventually(async () => {
      const cur = await getRC("web");
      return cur.status?.observedGeneration === 2 && cur.status.replicas === 2;
    });
    await h.client.patch(rcPath("web", "scale"), "merge", { spec: { replicas: 4 } });
    await eventually(() => podCount({ app: "web" }, 4));
    await eventually(async () => (await getRC("web")).status?.replicas === 4);
  });

  it("adopts matching orphans and releases pods that stop matching", async () => {
    const orphan = await h.client.create<Pod>(podPath(), {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "orphan", namespace: ns, labels: { app: "api", extra: "yes" } },
      spec: structuredClone(testPodSpec),
    });
    const owner = await h.client.create<ReplicationController>(
      rcPath(),
      rc("api", 2, { app: "api" }),
    );
    await eventually(async () => {
      const pod = await h.client.get<Pod>(podPath("orphan"));
      const ref = pod.metadata?.ownerReferences?.[0];
      return ref?.uid === owner.metadata?.uid && ref?.kind === "ReplicationController";
    });
    const pods = await eventually(async () => {
      const list = await listPods(h.client, ns, { app: "api" });
      return list.length === 2 && list;
    });
    assert.ok(pods.some((p) => p.metadata?.uid === orphan.metadata?.uid));
    // Relabel the adopted pod: the RC lets go of it and makes a replacement.
    await h.client.patch(podPath("orphan"), "merge", { metadata: { labels: { app: "other" } } });
    await eventually(async () => {
      const pod = await h.client.get<Pod>(podPath("orphan"));
      return (pod.metadata?.ownerReferences ?? []).length === 0;
    });
    await eventually(() => podCount({ app: "api" }, 2));
  });

  it("orphans its pods on a plain delete and cascades when asked", async () => {
    await h.client.create(rcPath(), rc("keep", 2, { app: "keep" }));
    await eventually(() => podCount({ app: "keep" }, 2));
    await h.client.delete(rcPath("keep"));
    await eventually(async () => {
      const pods = await listPods(h.client, ns, { app: "keep" });
      return pods.length === 2 && pods.every((p) => !p.metadata?.ownerReferences?.length);
    });
    // What `kubectl delete rc` asks for.
    await h.client.delete(rcPath("web"), { propagationPolicy: "Background" });
    await eventually(() => podCount({ app: "web" }, 0));
  });
});
