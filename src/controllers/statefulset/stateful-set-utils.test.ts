import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { PersistentVolumeClaim, Pod, StatefulSet } from "../../api/generated/types.ts";
import { claimOwnerRefs, sameOwnerRefs } from "./claim-retention.ts";
import {
  getParentNameAndOrdinal,
  identityMatches,
  newStatefulSetPod,
  newVersionedStatefulSetPod,
  podInOrdinalRange,
  storageMatches,
} from "./stateful-set-utils.ts";

function set(spec: Partial<NonNullable<StatefulSet["spec"]>> = {}): StatefulSet {
  return {
    metadata: { name: "web", namespace: "ns", uid: "set-uid" },
    spec: {
      replicas: 3,
      serviceName: "svc",
      selector: { matchLabels: { app: "web" } },
      template: {
        metadata: { labels: { app: "web" } },
        spec: { containers: [{ name: "c", image: "i" }], volumes: [{ name: "tmp", emptyDir: {} }] },
      },
      volumeClaimTemplates: [{ metadata: { name: "data", labels: { tier: "db" } }, spec: {} }],
      ...spec,
    },
  };
}

describe("StatefulSet pod identity", () => {
  it("parses <parent>-<ordinal> names", () => {
    const pod = (name: string): Pod => ({ metadata: { name } });
    assert.deepEqual(getParentNameAndOrdinal(pod("web-12")), { parent: "web", ordinal: 12 });
    assert.deepEqual(getParentNameAndOrdinal(pod("my-web-0")), { parent: "my-web", ordinal: 0 });
    assert.deepEqual(getParentNameAndOrdinal(pod("web")), { parent: "", ordinal: -1 });
  });

  it("builds a pod with name, labels, hostname, subdomain, claims and owner", () => {
    const pod = newStatefulSetPod(set(), 2);
    assert.equal(pod.metadata?.name, "web-2");
    assert.equal(pod.metadata?.namespace, "ns");
    assert.deepEqual(pod.metadata?.labels, {
      app: "web",
      "statefulset.kubernetes.io/pod-name": "web-2",
      "apps.kubernetes.io/pod-index": "2",
    });
    assert.equal(pod.spec?.hostname, "web-2");
    assert.equal(pod.spec?.subdomain, "svc");
    assert.deepEqual(pod.spec?.volumes, [
      { name: "data", persistentVolumeClaim: { claimName: "data-web-2" } },
      { name: "tmp", emptyDir: {} },
    ]);
    assert.equal(pod.metadata?.ownerReferences?.[0]?.uid, "set-uid");
    assert.ok(identityMatches(set(), pod));
    assert.ok(storageMatches(set(), pod));
    assert.ok(!identityMatches(set(), { ...pod, metadata: { ...pod.metadata, labels: {} } }));
  });

  it("honours spec.ordinals.start", () => {
    const s = set({ ordinals: { start: 5 }, replicas: 2 });
    assert.ok(podInOrdinalRange({ metadata: { name: "web-5" } }, s));
    assert.ok(podInOrdinalRange({ metadata: { name: "web-6" } }, s));
    assert.ok(!podInOrdinalRange({ metadata: { name: "web-4" } }, s));
    assert.ok(!podInOrdinalRange({ metadata: { name: "web-7" } }, s));
  });

  it("builds ordinals below the partition at the current revision", () => {
    const current = set({
      updateStrategy: { type: "RollingUpdate", rollingUpdate: { partition: 2 } },
    });
    const update = set();
    const make = (ordinal: number) =>
      newVersionedStatefulSetPod({
        currentSet: current,
        updateSet: update,
        currentRevision: "r1",
        updateRevision: "r2",
        ordinal,
      }).metadata?.labels?.["controller-revision-hash"];
    assert.deepEqual([0, 1, 2].map(make), ["r1", "r1", "r2"]);
  });
});

describe("claim retention owner refs", () => {
  const claim: PersistentVolumeClaim = { metadata: { name: "data-web-2" } };
  const pod: Pod = { metadata: { name: "web-2", uid: "pod-uid" } };
  const refsFor = (policy: { whenDeleted: string; whenScaled: string }, replicas: number) =>
    claimOwnerRefs(claim, set({ persistentVolumeClaimRetentionPolicy: policy, replicas }), pod).map(
      (r) => r.uid,
    );

  it("leaves claims unowned with Retain", () => {
    assert.deepEqual(refsFor({ whenDeleted: "Retain", whenScaled: "Retain" }, 3), []);
    assert.ok(sameOwnerRefs(claim, []));
  });

  it("makes the set the controller with whenDeleted Delete", () => {
    assert.deepEqual(refsFor({ whenDeleted: "Delete", whenScaled: "Retain" }, 3), ["set-uid"]);
  });

  it("makes a scaled-down pod the controller with whenScaled Delete", () => {
    assert.deepEqual(refsFor({ whenDeleted: "Delete", whenScaled: "Delete" }, 2), ["pod-uid"]);
    assert.deepEqual(refsFor({ whenDeleted: "Delete", whenScaled: "Delete" }, 3), ["set-uid"]);
    assert.deepEqual(refsFor({ whenDeleted: "Retain", whenScaled: "Delete" }, 3), []);
  });

  it("only scrubs its own refs when something else controls the claim", () => {
    const foreign = { apiVersion: "v1", kind: "Other", name: "x", uid: "x", controller: true };
    const owned: PersistentVolumeClaim = {
      metadata: { name: "data-web-2", ownerReferences: [foreign] },
    };
    const refs = claimOwnerRefs(
      owned,
      set({ persistentVolumeClaimRetentionPolicy: { whenDeleted: "Delete" } }),
      pod,
    );
    assert.deepEqual(refs, [foreign]);
  });
});
