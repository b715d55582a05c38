/**
 * The StatefulSet controller against an in-process API server: ordered creation waiting for
 * readiness, claims before pods, scale-down in reverse keeping claims, rolling update with a
 * partition, Parallel, OnDelete, start ordinals and the claim retention policy.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { CoreV1Event, PersistentVolumeClaim, StatefulSet } from "../../api/generated/types.ts";
import { resourcePath, resources } from "../../client/resources.ts";
import { eventually } from "../../client/testing/test-api.ts";
import type { Pod } from "../common/objects.ts";
import { type ControllerHarness, markPodReady, startControllers } from "../common/testing.ts";
import { statefulSetControllerFactory } from "./stateful-set-controller.ts";
import { autoReadyPods } from "./testing.ts";

const ns = "default";
const setPath = (name = "") => resourcePath(resources.statefulsets, ns, name);
const podPath = (name = "") => resourcePath(resources.pods, ns, name);
const pvcPath = (name = "") => resourcePath(resources.persistentvolumeclaims, ns, name);

function statefulSet(name: string, spec: Record<string, unknown> = {}): StatefulSet {
  return {
    apiVersion: "apps/v1",
    kind: "StatefulSet",
    metadata: { name, namespace: ns },
    spec: {
      replicas: 3,
      serviceName: "nginx",
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: "nginx", image: "nginx:1.25" }] },
      },
      ...spec,
    },
  };
}

const claimTemplate = {
  metadata: { name: "www" },
  spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } },
};

describe("StatefulSet controller", () => {
  let api: ControllerHarness;
  const stopReady = new AbortController();
  before(async () => {
    api = await startControllers({ create: [statefulSetControllerFactory.create] });
    // Pods of sets whose name starts with "auto" are made ready as they appear.
    autoReadyPods(api.client, stopReady.signal, (p) => (p.metadata?.name ?? "").startsWith("auto"));
  });
  after(async () => {
    stopReady.abort();
    await api.stop();
  });
  const ready = async (name: string) => {
    const pod = await api.client.get<Pod>(podPath(name));
    await markPodReady(api.client, pod);
  };

  const getPod = (name: string) => api.client.get<Pod>(podPath(name)).catch(() => undefined);
  const getSet = (name: string) => api.client.get<StatefulSet>(setPath(name));
  const podNames = async (prefix: string) => {
    const list = await api.client.get<{ items: Pod[] }>(podPath());
    return list.items
      .map((p) => p.metadata?.name ?? "")
      .filter((n) => n.startsWith(`${prefix}-`))
      .sort();
  };
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  it("creates pods in order, each after its predecessor is Running and Ready", async () => {
    await api.client.create(
      setPath(),
      statefulSet("web", { volumeClaimTemplates: [claimTemplate] }),
    );
    const web0 = await eventually(() => getPod("web-0"));
    await sleep(300);
    assert.deepEqual(await podNames("web"), ["web-0"]);
    const claim = await api.client.get<PersistentVolumeClaim>(pvcPath("www-web-0"));
    assert.deepEqual(claim.metadata?.labels, { app: "web" });
    assert.equal(claim.metadata?.ownerReferences, undefined);

    const labels = web0.metadata?.labels ?? {};
    assert.equal(labels["statefulset.kubernetes.io/pod-name"], "web-0");
    assert.equal(labels["apps.kubernetes.io/pod-index"], "0");
    assert.match(labels["controller-revision-hash"] ?? "", /^web-[bcdfghjklmnpqrstvwxz2456789]+$/);
    assert.equal(web0.spec?.hostname, "web-0");
    assert.equal(web0.spec?.subdomain, "nginx");
    const volume = web0.spec?.volumes?.find((v) => v.name === "www");
    assert.equal(volume?.persistentVolumeClaim?.claimName, "www-web-0");
    const ref = web0.metadata?.ownerReferences?.[0];
    assert.equal(ref?.kind, "StatefulSet");
    assert.equal(ref?.controller, true);

    await ready("web-0");
    await eventually(() => getPod("web-1"));
    await sleep(200);
    assert.deepEqual(await podNames("web"), ["web-0", "web-1"]);
    await ready("web-1");
    await eventually(() => getPod("web-2"));
    await ready("web-2");

    const set = await eventually(async () => {
      const s = await getSet("web");
      return s.status?.readyReplicas === 3 ? s : undefined;
    });
    assert.equal(set.status?.replicas, 3);
    assert.equal(set.status?.availableReplicas, 3);
    assert.equal(set.status?.currentReplicas, 3);
    assert.equal(set.status?.updatedReplicas, 3);
    assert.equal(set.status?.currentRevision, set.status?.updateRevision);
    assert.equal(set.status?.currentRevision, labels["controller-revision-hash"]);
    assert.equal(set.status?.observedGeneration, set.metadata?.generation);
    for (const n of [0, 1, 2]) await api.client.get(pvcPath(`www-web-${n}`));

    const events = await eventually(async () => {
      const list = await api.client.get<{ items: CoreV1Event[] }>(
        resourcePath(resources.events, ns),
      );
      const msgs = list.items.map((e) => `${e.reason}: ${e.message}`);
      return msgs.includes("SuccessfulCreate: create Pod web-2 in StatefulSet web successful")
        ? msgs
        : undefined;
    });
    assert.ok(events.includes("SuccessfulCreate: create Pod web-0 in StatefulSet web successful"));
    assert.ok(
      events.includes(
        "SuccessfulCreate: create Claim www-web-0 Pod web-0 in StatefulSet web success",
      ),
    );
  });

  it("scales down from the highest ordinal, one at a time, keeping claims", async () => {
    const deleted: string[] = [];
    const watching = new AbortController();
    const list = await api.client.get<{ metadata: { resourceVersion: string } }>(podPath());
    const from = { resourceVersion: list.metadata.resourceVersion };
    const watch = (async () => {
      try {
        for await (const ev of api.client.watch<Pod>(podPath(), from, watching.signal)) {
          if (ev.type === "DELETED") deleted.push(ev.object.metadata?.name ?? "");
        }
      } catch {
        // aborted
      }
    })();
    await api.client.patch(setPath("web"), "merge", { spec: { replicas: 1 } });
    await eventually(async () => (await podNames("web")).length === 1);
    await eventually(() => deleted.length === 2);
    watching.abort();
    await watch;
    assert.deepEqual(deleted, ["web-2", "web-1"]);
    for (const n of [0, 1, 2]) await api.client.get(pvcPath(`www-web-${n}`));
    const set = await eventually(async () => {
      const s = await getSet("web");
      return s.status?.replicas === 1 ? s : undefined;
    });
    assert.equal(set.status?.readyReplicas, 1);
  });

  it("rolls out from the highest ordinal down, honouring the partition", async () => {
    await api.client.create(setPath(), statefulSet("auto-roll"));
    const first = await eventually(async () => {
      const s = await getSet("auto-roll");
      return s.status?.readyReplicas === 3 ? s : undefined;
    });
    const oldRevision = first.status?.currentRevision;
    await api.client.patch(setPath("auto-roll"), "merge", {
      spec: {
        updateStrategy: { type: "RollingUpdate", rollingUpdate: { partition: 2 } },
        template: { spec: { containers: [{ name: "nginx", image: "nginx:1.26" }] } },
      },
    });
    const rolled = await eventually(async () => {
      const s = await getSet("auto-roll");
      return s.status?.updatedReplicas === 1 && s.status.readyReplicas === 3 ? s : undefined;
    });
    const newRevision = rolled.status?.updateRevision;
    assert.notEqual(newRevision, oldRevision);
    assert.equal(rolled.status?.currentRevision, oldRevision);
    const revisionOf = async (n: number) =>
      (await getPod(`auto-roll-${n}`))?.metadata?.labels?.["controller-revision-hash"];
    assert.equal(await revisionOf(2), newRevision);
    assert.equal(await revisionOf(1), oldRevision);
    assert.equal(await revisionOf(0), oldRevision);
    assert.equal((await getPod("auto-roll-2"))?.spec?.containers[0]?.image, "nginx:1.26");

    await api.client.patch(setPath("auto-roll"), "merge", {
      spec: { updateStrategy: { rollingUpdate: { partition: 0 } } },
    });
    const done = await eventually(async () => {
      const s = await getSet("auto-roll");
      return s.status?.currentRevision === newRevision && s.status?.readyReplicas === 3
        ? s
        : undefined;
    });
    assert.equal(done.status?.updatedReplicas, 3);
    assert.equal(done.status?.currentReplicas, 3);
    for (const n of [0, 1, 2]) assert.equal(await revisionOf(n), newRevision);
    const revisions = await api.client.get<{ items: unknown[] }>(
      resourcePath(resources.controllerrevisions, ns),
      { labelSelector: "app=auto-roll" },
    );
    assert.equal(revisions.items.length, 2);
  });

  it("creates all pods at once with Parallel, numbered from spec.ordinals.start", async () => {
    await api.client.create(
      setPath(),
      statefulSet("par", { podManagementPolicy: "Parallel", ordinals: { start: 5 } }),
    );
    await eventually(async () => (await podNames("par")).length === 3);
    assert.deepEqual(await podNames("par"), ["par-5", "par-6", "par-7"]);
    assert.equal((await getPod("par-6"))?.metadata?.labels?.["apps.kubernetes.io/pod-index"], "6");
  });

  it("replaces pods only when deleted with OnDelete", async () => {
    await api.client.create(
      setPath(),
      statefulSet("auto-od", { replicas: 2, updateStrategy: { type: "OnDelete" } }),
    );
    await eventually(async () => (await getSet("auto-od")).status?.readyReplicas === 2);
    await api.client.patch(setPath("auto-od"), "merge", {
      spec: { template: { spec: { containers: [{ name: "nginx", image: "nginx:1.26" }] } } },
    });
    const updated = await eventually(async () => {
      const s = await getSet("auto-od");
      return s.status?.updateRevision !== s.status?.currentRevision ? s : undefined;
    });
    await sleep(300);
    assert.equal((await getPod("auto-od-1"))?.spec?.containers[0]?.image, "nginx:1.25");
    await api.client.delete(podPath("auto-od-1"));
    await eventually(async () => {
      const p = await getPod("auto-od-1");
      return p?.metadata?.labels?.["controller-revision-hash"] === updated.status?.updateRevision;
    });
    assert.equal((await getPod("auto-od-0"))?.spec?.containers[0]?.image, "nginx:1.25");
  });

  it("makes the set its claims' controller when whenDeleted is Delete", async () => {
    await api.client.create(
      setPath(),
      statefulSet("auto-del", {
        replicas: 1,
        volumeClaimTemplates: [claimTemplate],
        persistentVolumeClaimRetentionPolicy: { whenDeleted: "Delete", whenScaled: "Retain" },
      }),
    );
    const set = await getSet("auto-del");
    const claim = await eventually(async () => {
      const c = await api.client
        .get<PersistentVolumeClaim>(pvcPath("www-auto-del-0"))
        .catch(() => undefined);
      return c?.metadata?.ownerReferences?.length ? c : undefined;
    });
    assert.deepEqual(claim.metadata?.ownerReferences, [
      {
        apiVersion: "apps/v1",
        kind: "StatefulSet",
        name: "auto-del",
        uid: set.metadata?.uid,
        controller: true,
        blockOwnerDeletion: true,
      },
    ]);
  });

  it("hands a scaled-down pod its claims when whenScaled is Delete", async () => {
    await api.client.create(
      setPath(),
      statefulSet("auto-scale", {
        replicas: 2,
        volumeClaimTemplates: [claimTemplate],
        persistentVolumeClaimRetentionPolicy: { whenDeleted: "Retain", whenScaled: "Delete" },
      }),
    );
    await eventually(async () => (await getSet("auto-scale")).status?.readyReplicas === 2);
    const pod1 = await getPod("auto-scale-1");
    await api.client.patch(setPath("auto-scale"), "merge", { spec: { replicas: 1 } });
    await eventually(async () => (await podNames("auto-scale")).length === 1);
    const claim = await api.client.get<PersistentVolumeClaim>(pvcPath("www-auto-scale-1"));
    const ref = claim.metadata?.ownerReferences?.[0];
    assert.equal(ref?.kind, "Pod");
    assert.equal(ref?.uid, pod1?.metadata?.uid);
    const kept = await api.client.get<PersistentVolumeClaim>(pvcPath("www-auto-scale-0"));
    assert.equal(kept.metadata?.ownerReferences, undefined);
  });
});
