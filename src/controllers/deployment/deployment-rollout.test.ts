/**
 * The Deployment controller with the ReplicaSet controller against an in-process API server:
 * the first rollout, rolling updates within maxSurge/maxUnavailable, Recreate, and scaling.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { resourcePath, resources } from "../../client/resources.ts";
import { eventually } from "../../client/testing/test-api.ts";
import type { Pod } from "../common/objects.ts";
import { isPodReady } from "../common/pod-utils.ts";
import { type ControllerHarness, listPods, markPodReady } from "../common/testing.ts";
import {
  completeRollout,
  deployment,
  dPath,
  getDeployment,
  imageOf,
  listReplicaSets,
  ns,
  rolloutComplete,
  setImage,
} from "./testing.ts";

describe("deployment rollout", () => {
  let h: ControllerHarness;
  before(async () => {
    h = await import("./testing.ts").then((t) => t.startCluster());
  });
  after(() => h.stop());

  it("creates a ReplicaSet and pods, and completes once pods are ready", async () => {
    const created = await h.client.create(dPath(), deployment("web", 3));
    const rs = await eventually(async () => (await listReplicaSets(h.client, "web"))[0]);
    const hash = rs.metadata?.labels?.["pod-template-hash"] ?? "";
    assert.match(hash, /^[bcdfghjklmnpqrstvwxz2456789]+$/);
    assert.equal(rs.metadata?.name, `web-${hash}`);
    assert.deepEqual(rs.spec?.selector.matchLabels, { app: "web", "pod-template-hash": hash });
    assert.equal(rs.spec?.template?.metadata?.labels?.["pod-template-hash"], hash);
    assert.equal(
      rs.metadata?.ownerReferences?.[0]?.uid,
      (created as { metadata: { uid: string } }).metadata.uid,
    );
    assert.deepEqual(
      {
        revision: rs.metadata?.annotations?.["deployment.kubernetes.io/revision"],
        desired: rs.metadata?.annotations?.["deployment.kubernetes.io/desired-replicas"],
        max: rs.metadata?.annotations?.["deployment.kubernetes.io/max-replicas"],
      },
      { revision: "1", desired: "3", max: "4" },
    );
    await eventually(async () => (await listPods(h.client, ns, { app: "web" })).length === 3);
    let d = await getDeployment(h.client, "web");
    assert.equal(rolloutComplete(d), false);
    d = await completeRollout(h.client, "web");
    assert.equal(d.metadata?.annotations?.["deployment.kubernetes.io/revision"], "1");
    assert.deepEqual(
      {
        replicas: d.status?.replicas,
        updated: d.status?.updatedReplicas,
        ready: d.status?.readyReplicas,
        available: d.status?.availableReplicas,
        unavailable: d.status?.unavailableReplicas,
      },
      { replicas: 3, updated: 3, ready: 3, available: 3, unavailable: undefined },
    );
    const conditions = await eventually(async () => {
      const cur = await getDeployment(h.client, "web");
      const progressing = cur.status?.conditions?.find((c) => c.type === "Progressing");
      return progressing?.reason === "NewReplicaSetAvailable" && cur.status?.conditions;
    });
    const available = conditions.find((c) => c.type === "Available");
    assert.equal(available?.status, "True");
    assert.equal(available?.reason, "MinimumReplicasAvailable");
    assert.equal(
      conditions.find((c) => c.type === "Progressing")?.message,
      `ReplicaSet "web-${hash}" has successfully progressed.`,
    );
    const events = await h.client.get<{ items: { reason: string; message: string }[] }>(
      resourcePath(resources.events, ns),
    );
    assert.ok(
      events.items.some(
        (e) =>
          e.reason === "ScalingReplicaSet" &&
          e.message === `Scaled up replica set web-${hash} from 0 to 3`,
      ),
    );
  });

  it("rolls out a new image within maxSurge and maxUnavailable, step by step", async () => {
    const strategy = {
      type: "RollingUpdate" as const,
      rollingUpdate: { maxSurge: 1, maxUnavailable: 1 },
    };
    await h.client.create(dPath(), deployment("roll", 4, { strategy }));
    await completeRollout(h.client, "roll");
    await setImage(h.client, "roll", "nginx:1.26");
    const violations: string[] = [];
    const check = (snap: Snapshot) => {
      if (snap.specTotal > 5) violations.push(`spec total ${snap.specTotal} > 5`);
      if (snap.readyPods < 3) violations.push(`ready pods ${snap.readyPods} < 3`);
    };
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        check(await snapshot("roll"));
        await new Promise((r) => setTimeout(r, 5));
      }
    })();
    let steps = 0;
    const deadline = Date.now() + 20_000;
    for (;;) {
      const snap = await settled("roll");
      check(snap);
      const d = await getDeployment(h.client, "roll");
      if (rolloutComplete(d) && snap.oldPods === 0) break;
      const next = snap.pods.find((p) => imageOf(p) === "nginx:1.26" && !isPodReady(p));
      if (!next) {
        // Settled too early (a slow machine): wait for the controllers' next move.
        assert.ok(
          Date.now() < deadline,
          `stuck after ${steps} steps: ${JSON.stringify(snap.summary)}`,
        );
        continue;
      }
      await markPodReady(h.client, next);
      steps++;
    }
    sampling = false;
    await sampler;
    assert.deepEqual(violations, []);
    assert.ok(steps >= 4, `${steps} steps`);
    const rss = await listReplicaSets(h.client, "roll");
    assert.equal(rss.length, 2);
    const byImage = Object.fromEntries(rss.map((rs) => [imageOf(rs), rs]));
    assert.equal(byImage["nginx:1.26"]?.spec?.replicas, 4);
    assert.equal(byImage["nginx:1.25"]?.spec?.replicas, 0);
    assert.equal(
      byImage["nginx:1.26"]?.metadata?.annotations?.["deployment.kubernetes.io/revision"],
      "2",
    );
  });

  it("Recreate scales the old ReplicaSet to zero before starting new pods", async () => {
    await h.client.create(dPath(), deployment("rec", 3, { strategy: { type: "Recreate" } }));
    await completeRollout(h.client, "rec");
    await setImage(h.client, "rec", "nginx:1.26");
    let mixed = false;
    const d = await eventually(async () => {
      const pods = await listPods(h.client, ns, { app: "rec" });
      const images = new Set(pods.map(imageOf));
      if (images.size > 1) mixed = true;
      await readyPods(pods);
      const cur = await getDeployment(h.client, "rec");
      return rolloutComplete(cur) && pods.length === 3 && images.has("nginx:1.26") && cur;
    });
    assert.equal(mixed, false);
    assert.equal(d.status?.updatedReplicas, 3);
  });

  it("scales up and down", async () => {
    await h.client.create(dPath(), deployment("sc", 2));
    await completeRollout(h.client, "sc");
    await h.client.patch(dPath("sc"), "merge", { spec: { replicas: 5 } });
    await eventually(async () => (await listPods(h.client, ns, { app: "sc" })).length === 5);
    let d = await eventually(async () => {
      const cur = await completeRollout(h.client, "sc");
      return cur.status?.availableReplicas === 5 && cur;
    });
    assert.equal(d.status?.replicas, 5);
    const [rs] = await listReplicaSets(h.client, "sc");
    assert.equal(rs?.metadata?.annotations?.["deployment.kubernetes.io/desired-replicas"], "5");
    assert.equal(rs?.metadata?.annotations?.["deployment.kubernetes.io/max-replicas"], "7");
    await h.client.patch(dPath("sc"), "merge", { spec: { replicas: 1 } });
    await eventually(async () => (await listPods(h.client, ns, { app: "sc" })).length === 1);
    // Right after scaling, the status still sums the old ReplicaSet status (as upstream).
    d = await eventually(async () => {
      const cur = await completeRollout(h.client, "sc");
      return cur.status?.replicas === 1 && cur;
    });
    assert.equal(d.status?.availableReplicas, 1);
    const events = await h.client.get<{ items: { reason: string; message: string }[] }>(
      resourcePath(resources.events, ns),
    );
    const messages = events.items
      .filter((e) => e.reason === "ScalingReplicaSet")
      .map((e) => e.message);
    assert.ok(messages.includes(`Scaled up replica set ${rs?.metadata?.name} from 2 to 5`));
    assert.ok(messages.includes(`Scaled down replica set ${rs?.metadata?.name} from 5 to 1`));
  });

  interface Snapshot {
    pods: Pod[];
    specTotal: number;
    activePods: number;
    readyPods: number;
    oldPods: number;
    summary: unknown;
  }

  async function snapshot(app: string): Promise<Snapshot> {
    const [rss, pods] = await Promise.all([
      listReplicaSets(h.client, app),
      listPods(h.client, ns, { app }),
    ]);
    const active = pods.filter((p) => !p.metadata?.deletionTimestamp);
    const summary = {
      rs: rss.map((rs) => [
        rs.metadata?.name,
        rs.spec?.replicas,
        rs.status?.replicas,
        rs.status?.availableReplicas,
      ]),
      pods: active.map((p) => [p.metadata?.name, imageOf(p), isPodReady(p)]).sort(),
    };
    return {
      pods: active,
      specTotal: rss.reduce((n, rs) => n + (rs.spec?.replicas ?? 0), 0),
      activePods: active.length,
      readyPods: active.filter(isPodReady).length,
      oldPods: active.filter((p) => imageOf(p) !== "nginx:1.26").length,
      summary,
    };
  }

  /** The state once nothing has changed for a few polls. */
  async function settled(app: string): Promise<Snapshot> {
    let last = "";
    let same = 0;
    for (;;) {
      const snap = await snapshot(app);
      const text = JSON.stringify(snap.summary);
      same = text === last ? same + 1 : 0;
      last = text;
      if (same >= 3) return snap;
      await new Promise((r) => setTimeout(r, 30));
    }
  }

  async function readyPods(pods: Pod[]): Promise<void> {
    const pending = pods.filter((p) => !isPodReady(p) && !p.metadata?.deletionTimestamp);
    await Promise.all(pending.map((p) => markPodReady(h.client, p).catch(() => {})));
  }
});
