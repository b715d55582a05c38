import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Deployment, ReplicaSet } from "../common/objects.ts";
import {
  revisionAnnotation,
  revisionHistoryAnnotation,
  setNewReplicaSetAnnotations,
} from "./annotations.ts";
import { deploymentTimedOut, setDeploymentCondition } from "./conditions.ts";
import {
  getReplicaSetProportion,
  maxSurge,
  maxUnavailable,
  newRSNewReplicas,
  resolveFenceposts,
} from "./deployment-util.ts";

function dep(replicas: number, surge: number | string, unavailable: number | string): Deployment {
  return {
    metadata: { name: "web", annotations: { "kubernetes.io/change-cause": "v2" } },
    spec: {
      replicas,
      selector: {},
      template: {},
      strategy: {
        type: "RollingUpdate",
        rollingUpdate: { maxSurge: surge, maxUnavailable: unavailable },
      },
      progressDeadlineSeconds: 600,
    },
  };
}
const rs = (replicas: number, annotations: Record<string, string> = {}): ReplicaSet => ({
  metadata: { name: `rs-${replicas}`, annotations },
  spec: { replicas, selector: {} },
});

describe("rollout arithmetic", () => {
  it("resolves fenceposts: surge rounds up, unavailable down, never both zero", () => {
    assert.deepEqual(resolveFenceposts("25%", "25%", 10), { surge: 3, unavailable: 2 });
    assert.deepEqual(resolveFenceposts("0%", "0%", 10), { surge: 0, unavailable: 1 });
    assert.equal(maxSurge(dep(4, 1, 1)), 1);
    assert.equal(maxUnavailable(dep(2, 0, 5)), 2);
    assert.equal(
      maxUnavailable({
        ...dep(2, 1, 1),
        spec: { ...dep(2, 1, 1).spec!, strategy: { type: "Recreate" } },
      }),
      0,
    );
  });

  it("grows the new ReplicaSet only as far as maxSurge allows", () => {
    const d = dep(4, 1, 1);
    const newRS = rs(0);
    assert.equal(newRSNewReplicas(d, [rs(4), newRS], newRS), 1);
    const grown = rs(2);
    assert.equal(newRSNewReplicas(d, [rs(2), grown], grown), 3);
    assert.equal(newRSNewReplicas(d, [rs(3), grown], grown), 2);
  });

  it("shares a resize in proportion to the max-replicas annotation", () => {
    const d = dep(20, 0, 1);
    const old = rs(5, { "deployment.kubernetes.io/max-replicas": "10" });
    assert.equal(getReplicaSetProportion(old, d, 10, 0), 5);
    assert.equal(getReplicaSetProportion(old, d, 3, 0), 3);
    assert.equal(getReplicaSetProportion(old, dep(0, 0, 1), -5, 0), -5);
  });
});

describe("annotations", () => {
  it("copies change-cause and raises the revision, keeping the history on rollback", () => {
    const d = dep(2, 1, 1);
    const target = rs(0, { [revisionAnnotation]: "1" });
    const changed = setNewReplicaSetAnnotations({
      d,
      rs: target,
      newRevision: "3",
      exists: true,
      maxSurge: 1,
    });
    assert.equal(changed, true);
    assert.equal(target.metadata?.annotations?.[revisionAnnotation], "3");
    assert.equal(target.metadata?.annotations?.[revisionHistoryAnnotation], "1");
    assert.equal(target.metadata?.annotations?.["kubernetes.io/change-cause"], "v2");
    setNewReplicaSetAnnotations({ d, rs: target, newRevision: "5", exists: true, maxSurge: 1 });
    assert.equal(target.metadata?.annotations?.[revisionHistoryAnnotation], "1,3");
  });

  it("sets replica annotations on a new ReplicaSet only", () => {
    const fresh = rs(0);
    setNewReplicaSetAnnotations({
      d: dep(4, 1, 1),
      rs: fresh,
      newRevision: "1",
      exists: false,
      maxSurge: 1,
    });
    assert.equal(fresh.metadata?.annotations?.["deployment.kubernetes.io/desired-replicas"], "4");
    assert.equal(fresh.metadata?.annotations?.["deployment.kubernetes.io/max-replicas"], "5");
  });
});

describe("conditions", () => {
  it("keep the transition time when only the reason changes", () => {
    const status = {
      conditions: [
        {
          type: "Progressing",
          status: "True",
          reason: "NewReplicaSetCreated",
          lastTransitionTime: "t0",
          lastUpdateTime: "t0",
        },
      ],
    };
    setDeploymentCondition(status, {
      type: "Progressing",
      status: "True",
      reason: "ReplicaSetUpdated",
      lastTransitionTime: "t1",
      lastUpdateTime: "t1",
    });
    assert.deepEqual(status.conditions[0], {
      type: "Progressing",
      status: "True",
      reason: "ReplicaSetUpdated",
      lastTransitionTime: "t0",
      lastUpdateTime: "t1",
    });
  });

  it("time out progressDeadlineSeconds after the last progress", () => {
    const d = dep(1, 1, 0);
    const status = {
      conditions: [
        {
          type: "Progressing",
          status: "True",
          reason: "ReplicaSetUpdated",
          lastUpdateTime: "2026-01-01T00:00:00Z",
        },
      ],
    };
    const t0 = Date.UTC(2026, 0, 1);
    assert.equal(deploymentTimedOut(d, status, t0 + 600_000), false);
    assert.equal(deploymentTimedOut(d, status, t0 + 600_001), true);
  });
});
