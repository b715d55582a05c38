/**
 * The ReplicaSet controller against an in-process API server: pod creation with owner
 * references and events, status counters, scaling down unready pods first, adoption and
 * release, and creating a thousand pods quickly.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { resourcePath, resources } from "../../client/resources.ts";
import type { RestClient } from "../../client/rest-client.ts";
import { eventually } from "../../client/testing/test-api.ts";
import { isStatusError } from "../../machinery/status.ts";
import type { Pod, ReplicaSet } from "../common/objects.ts";
import {
  type ControllerHarness,
  listPods,
  markPodReady,
  startControllers,
  testPodSpec,
} from "../common/testing.ts";
import { newReplicaSetController } from "./replica-set-controller.ts";

const ns = "default";
const rsPath = (name = "") => resourcePath(resources.replicasets, ns, name);

function replicaSet(name: string, replicas: number, labels: Record<string, string>): ReplicaSet {
  return {
    apiVersion: "apps/v1",
    kind: "ReplicaSet",
    metadata: { name, namespace: ns },
    spec: {
      replicas,
      selector: { matchLabels: labels },
      template: { metadata: { labels }, spec: structuredClone(testPodSpec) },
    },
  };
}

async function getRS(client: RestClient, name: string): Promise<ReplicaSet> {
  return client.get<ReplicaSet>(rsPath(name));
}

describe("replicaset controller", () => {
  let h: ControllerHarness;
  /** The controller's status writes refused with a conflict (its copy was stale). */
  const statusConflicts = { count: 0 };
  before(async () => {
    h = await startControllers({
      create: [
        (ctx) => {
          const client = ctx.client;
          const update = client.update.bind(client);
          client.update = async <T>(path: string, body: unknown, query?: Record<string, string>) =>
            update<T>(path, body, query).catch((err: unknown) => {
              if (path.endsWith("/status") && isStatusError(err, "Conflict"))
                statusConflicts.count++;
              throw err;
            });
          return newReplicaSetController(ctx);
        },
      ],
    });
  });
  after(() => h.stop());

  it("creates owned pods, counts ready ones and records events", async () => {
    const rs = await h.client.create<ReplicaSet>(rsPath(), replicaSet("web", 3, { app: "web" }));
    const pods = await eventually(async () => {
      const list = await listPods(h.client, ns, { app: "web" });
      return list.length === 3 && list;
    });
    for (const pod of pods) {
      assert.match(pod.metadata?.name ?? "", /^web-[a-z0-9]{5}$/);
      assert.deepEqual(pod.metadata?.ownerReferences, [
        {
          apiVersion: "apps/v1",
          kind: "ReplicaSet",
          name: "web",
          uid: rs.metadata?.uid,
          controller: true,
          blockOwnerDeletion: true,
        },
      ]);
    }
    await markPodReady(h.client, pods[0] as Pod);
    await markPodReady(h.client, pods[1] as Pod);
    const status = await eventually(async () => {
      const cur = await getRS(h.client, "web");
      return cur.status?.readyReplicas === 2 && cur.status;
    });
    assert.equal(status.replicas, 3);
    assert.equal(status.fullyLabeledReplicas, 3);
    assert.equal(status.availableReplicas, 2);
    assert.equal(status.observedGeneration, 1);
    const events = await eventually(async () => {
      const list = await h.client.get<{ items: { reason: string; message: string }[] }>(
        resourcePath(resources.events, ns),
      );
      const created = list.items.filter((e) => e.reason === "SuccessfulCreate");
      return created.length >= 3 && created;
    });
    assert.match(events[0]?.message ?? "", /^Created pod: web-/);
  });

  it("scales down, deleting not-ready pods before ready ones", async () => {
    const before = await listPods(h.client, ns, { app: "web" });
    const ready = before.filter((p) => p.status?.phase === "Running").map((p) => p.metadata?.name);
    const cur = await getRS(h.client, "web");
    await h.client.update(rsPath("web"), { ...cur, spec: { ...cur.spec, replicas: 2 } });
    const pods = await eventually(async () => {
      const list = await listPods(h.client, ns, { app: "web" });
      return list.length === 2 && list;
    });
    assert.deepEqual(pods.map((p) => p.metadata?.name).sort(), ready.sort());
    // The status written by the deleting sync still counts the pods it deleted; the next settles.
    await eventually(async () => {
      const rs = await getRS(h.client, "web");
      return rs.status?.observedGeneration === 2 && rs.status.replicas === 2;
    });
  });

  it("adopts matching orphans and releases pods that stop matching", async () => {
    const orphan = await h.client.create<Pod>(resourcePath(resources.pods, ns), {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "orphan", namespace: ns, labels: { app: "api" } },
      spec: structuredClone(testPodSpec),
    });
    const rs = await h.client.create<ReplicaSet>(rsPath(), replicaSet("api", 2, { app: "api" }));
    await eventually(async () => {
      const pod = await h.client.get<Pod>(resourcePath(resources.pods, ns, "orphan"));
      return pod.metadata?.ownerReferences?.[0]?.uid === rs.metadata?.uid;
    });
    const pods = await eventually(async () => {
      const list = await listPods(h.client, ns, { app: "api" });
      return list.length === 2 && list;
    });
    assert.ok(pods.some((p) => p.metadata?.uid === orphan.metadata?.uid));
    // Relabel the adopted pod: the ReplicaSet lets go of it and makes a replacement.
    await h.client.patch(resourcePath(resources.pods, ns, "orphan"), "merge", {
      metadata: { labels: { app: "other" } },
    });
    await eventually(async () => {
      const pod = await h.client.get<Pod>(resourcePath(resources.pods, ns, "orphan"));
      return (pod.metadata?.ownerReferences ?? []).length === 0;
    });
    await eventually(async () => (await listPods(h.client, ns, { app: "api" })).length === 2);
  });

  it("does not write status from a copy its own last write replaced (no conflicts)", async () => {
    await h.client.create(rsPath(), replicaSet("steady", 60, { app: "steady" }));
    await eventually(async () => (await getRS(h.client, "steady")).status?.replicas === 60);
    const before = statusConflicts.count;
    const pods = await listPods(h.client, ns, { app: "steady" });
    // Pods turn ready in bursts: each burst changes the status again while the controller's
    // informer may still show the ReplicaSet before its last status write.
    for (let i = 0; i < pods.length; i += 10) {
      await Promise.all(pods.slice(i, i + 10).map((p) => markPodReady(h.client, p)));
    }
    await eventually(async () => (await getRS(h.client, "steady")).status?.readyReplicas === 60);
    assert.equal(statusConflicts.count - before, 0);
  });

  it("creates a 1,000-replica ReplicaSet within a few seconds", async () => {
    const start = performance.now();
    await h.client.create(rsPath(), replicaSet("big", 1000, { app: "big" }));
    await eventually(async () => {
      const rs = await getRS(h.client, "big");
      return rs.status?.replicas === 1000;
    }, 30_000);
    const seconds = (performance.now() - start) / 1000;
    console.log(`1000 pods created and counted in ${seconds.toFixed(2)} s`);
    assert.equal((await listPods(h.client, ns, { app: "big" })).length, 1000);
    // About 2.5 s on an idle two-core machine; the bound only catches pathologies under load.
    assert.ok(seconds < 60, `took ${seconds} s`);
  });
});
