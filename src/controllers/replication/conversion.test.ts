import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type ReplicationControllerObj, rcFromReplicaSet, replicaSetFromRC } from "./conversion.ts";

const rc = (): ReplicationControllerObj => ({
  apiVersion: "v1",
  kind: "ReplicationController",
  metadata: { name: "web", namespace: "default", uid: "u1", resourceVersion: "7" },
  spec: {
    replicas: 2,
    minReadySeconds: 5,
    selector: { app: "web" },
    template: { metadata: { labels: { app: "web" } }, spec: { containers: [] } },
  },
  status: { replicas: 1, readyReplicas: 1, observedGeneration: 1 },
});

describe("ReplicationController ↔ ReplicaSet", () => {
  it("turns the selector map into matchLabels, keeping kind and everything else", () => {
    const rs = replicaSetFromRC(rc());
    assert.equal(rs.kind, "ReplicationController");
    assert.equal(rs.apiVersion, "v1");
    assert.deepEqual(rs.spec?.selector, { matchLabels: { app: "web" } });
    assert.equal(rs.spec?.replicas, 2);
    assert.equal(rs.spec?.minReadySeconds, 5);
    assert.deepEqual(rs.status, { replicas: 1, readyReplicas: 1, observedGeneration: 1 });
  });

  it("leaves a missing selector missing (it selects nothing)", () => {
    const input = rc();
    delete input.spec?.selector;
    assert.equal(replicaSetFromRC(input).spec?.selector, undefined);
  });

  it("converts back to the same ReplicationController", () => {
    assert.deepEqual(rcFromReplicaSet(replicaSetFromRC(rc())), rc());
    const rs = replicaSetFromRC(rc());
    rs.status = { replicas: 2, terminatingReplicas: 1 };
    assert.deepEqual(rcFromReplicaSet(rs).status, { replicas: 2 });
  });
});
