import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { StatefulSet } from "../../generated/types.ts";
import type { Obj } from "./common.ts";
import { statefulSetResource as def } from "./stateful-set.ts";
import { createLike, updateLike, validateCreate, validateUpdate } from "./testing.ts";

const sts = (): Obj<StatefulSet> => ({
  metadata: { name: "db", namespace: "default" },
  spec: {
    serviceName: "db",
    selector: { matchLabels: { app: "db" } },
    template: {
      metadata: { labels: { app: "db" } },
      spec: {
        containers: [
          { name: "pg", image: "postgres:16", volumeMounts: [{ name: "data", mountPath: "/d" }] },
        ],
      },
    },
    volumeClaimTemplates: [
      { metadata: { name: "data" }, spec: { accessModes: ["ReadWriteOnce"] } },
    ],
  },
});

describe("StatefulSet", () => {
  it("applies upstream defaults", () => {
    const s = createLike(def, sts());
    const spec = s.spec!;
    assert.equal(spec.replicas, 1);
    assert.equal(spec.podManagementPolicy, "OrderedReady");
    assert.deepEqual(spec.updateStrategy, {
      type: "RollingUpdate",
      rollingUpdate: { partition: 0 },
    });
    assert.equal(spec.revisionHistoryLimit, 10);
    assert.deepEqual(spec.persistentVolumeClaimRetentionPolicy, {
      whenDeleted: "Retain",
      whenScaled: "Retain",
    });
    assert.equal(spec.volumeClaimTemplates![0]!.spec!.volumeMode, "Filesystem");
  });

  it("accepts a valid stateful set (mounts of claim templates included)", () => {
    assert.deepEqual(validateCreate(def, createLike(def, sts())), []);
  });

  it("rejects bad policies and a mismatched selector", () => {
    const s = sts();
    s.spec!.podManagementPolicy = "Sometimes" as "Parallel";
    s.spec!.selector = { matchLabels: { app: "x" } };
    assert.deepEqual(validateCreate(def, createLike(def, s)), [
      "spec.podManagementPolicy: Invalid value: \"Sometimes\": must be 'OrderedReady' or 'Parallel'",
      'spec.template.metadata.labels: Invalid value: map[string]string{"app":"db"}: `selector` does not match template `labels`',
    ]);
  });

  it("allows only some fields to change", () => {
    const old = createLike(def, sts());
    const next = structuredClone(old);
    next.spec!.replicas = 3;
    next.spec!.template.spec!.containers[0]!.image = "postgres:17";
    assert.deepEqual(validateUpdate(def, updateLike(def, next, old), old), []);
    next.spec!.serviceName = "other";
    assert.deepEqual(validateUpdate(def, updateLike(def, next, old), old), [
      "spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
    ]);
  });

  it("prints ready replicas", () => {
    const s = createLike(def, sts());
    s.status = { replicas: 1, readyReplicas: 1 };
    assert.deepEqual(def.strategy.printer!.row(s, Date.parse("2024-01-03T00:00:00Z")), [
      "db",
      "1/1",
      "2d",
      "pg",
      "postgres:16",
    ]);
  });
});
