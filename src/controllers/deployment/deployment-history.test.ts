/**
 * Revisions of a Deployment: rolling back to an old template reuses its ReplicaSet with a new
 * revision, revisionHistoryLimit prunes old ReplicaSets, paused Deployments do not roll out,
 * `kubectl rollout restart` (a template annotation) rolls out, and change-cause is carried.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { eventually } from "../../client/testing/test-api.ts";
import type { ControllerHarness } from "../common/testing.ts";
import {
  completeRollout,
  deployment,
  dPath,
  getDeployment,
  imageOf,
  listReplicaSets,
  setImage,
  startCluster,
} from "./testing.ts";

const revisionOf = (obj: { metadata?: { annotations?: Record<string, string> } }) =>
  obj.metadata?.annotations?.["deployment.kubernetes.io/revision"];

describe("deployment history", () => {
  let h: ControllerHarness;
  before(async () => {
    h = await startCluster();
  });
  after(() => h.stop());

  it("reuses the old ReplicaSet on rollback and moves revisions as upstream", async () => {
    await h.client.create(dPath(), deployment("undo", 2));
    await completeRollout(h.client, "undo");
    const v1 = await getDeployment(h.client, "undo");
    await h.client.patch(dPath("undo"), "merge", {
      metadata: { annotations: { "kubernetes.io/change-cause": "image 1.26" } },
    });
    await setImage(h.client, "undo", "nginx:1.26");
    await eventually(async () => (await listReplicaSets(h.client, "undo")).length === 2);
    let d = await completeRollout(h.client, "undo");
    assert.equal(revisionOf(d), "2");
    const [first] = (await listReplicaSets(h.client, "undo")).filter(
      (rs) => imageOf(rs) === "nginx:1.25",
    );
    // `kubectl rollout undo`: the old template back, from the client side.
    await h.client.patch(dPath("undo"), "merge", { spec: { template: v1.spec?.template } });
    d = await eventually(async () => {
      const cur = await completeRollout(h.client, "undo");
      return revisionOf(cur) === "3" && cur;
    });
    const rss = await listReplicaSets(h.client, "undo");
    assert.equal(rss.length, 2);
    const reused = rss.find((rs) => imageOf(rs) === "nginx:1.25");
    const second = rss.find((rs) => imageOf(rs) === "nginx:1.26");
    assert.equal(reused?.metadata?.name, first?.metadata?.name);
    assert.equal(revisionOf(reused ?? {}), "3");
    assert.equal(reused?.metadata?.annotations?.["deployment.kubernetes.io/revision-history"], "1");
    assert.equal(reused?.spec?.replicas, 2);
    assert.equal(revisionOf(second ?? {}), "2");
    assert.equal(second?.spec?.replicas, 0);
    assert.equal(second?.metadata?.annotations?.["kubernetes.io/change-cause"], "image 1.26");
  });

  it("prunes ReplicaSets beyond revisionHistoryLimit", async () => {
    await h.client.create(dPath(), deployment("hist", 1, { revisionHistoryLimit: 1 }));
    await completeRollout(h.client, "hist");
    for (const tag of ["1.26", "1.27", "1.28"]) {
      await setImage(h.client, "hist", `nginx:${tag}`);
      await eventually(async () => {
        const d = await completeRollout(h.client, "hist");
        return (
          d.status?.observedGeneration === d.metadata?.generation &&
          imageOf(
            (await listReplicaSets(h.client, "hist")).find((rs) => rs.spec?.replicas === 1) ?? {},
          ) === `nginx:${tag}`
        );
      });
    }
    const rss = await eventually(async () => {
      const list = await listReplicaSets(h.client, "hist");
      return list.length === 2 && list;
    });
    assert.deepEqual(rss.map(imageOf).sort(), ["nginx:1.27", "nginx:1.28"]);
    assert.deepEqual(rss.map(revisionOf).sort(), ["3", "4"]);
  });

  it("does not roll out while paused, and does once resumed", async () => {
    await h.client.create(dPath(), deployment("pause", 2));
    await completeRollout(h.client, "pause");
    await h.client.patch(dPath("pause"), "merge", { spec: { paused: true } });
    await setImage(h.client, "pause", "nginx:1.26");
    const paused = await eventually(async () => {
      const d = await getDeployment(h.client, "pause");
      const cond = d.status?.conditions?.find((c) => c.type === "Progressing");
      return (
        d.status?.observedGeneration === d.metadata?.generation &&
        cond?.reason === "DeploymentPaused" &&
        cond
      );
    });
    assert.equal(paused.status, "Unknown");
    assert.equal(paused.message, "Deployment is paused");
    await new Promise((r) => setTimeout(r, 200));
    assert.equal((await listReplicaSets(h.client, "pause")).length, 1);
    await h.client.patch(dPath("pause"), "merge", { spec: { paused: false } });
    await eventually(async () => (await listReplicaSets(h.client, "pause")).length === 2);
    const d = await eventually(async () => {
      const cur = await completeRollout(h.client, "pause");
      const cond = cur.status?.conditions?.find((c) => c.type === "Progressing");
      return cond?.reason === "NewReplicaSetAvailable" && cur;
    });
    assert.equal(revisionOf(d), "2");
  });

  it("rolls out again on `kubectl rollout restart`", async () => {
    await h.client.create(dPath(), deployment("restart", 1));
    await completeRollout(h.client, "restart");
    await h.client.patch(dPath("restart"), "strategic", {
      spec: {
        template: {
          metadata: {
            annotations: { "kubectl.kubernetes.io/restartedAt": "2026-01-01T00:00:00Z" },
          },
        },
      },
    });
    await eventually(async () => (await listReplicaSets(h.client, "restart")).length === 2);
    const d = await eventually(async () => {
      const cur = await completeRollout(h.client, "restart");
      return revisionOf(cur) === "2" && cur;
    });
    assert.equal(d.status?.updatedReplicas, 1);
  });
});
