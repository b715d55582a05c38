/**
 * The disruption controller keeps budgets' status current, and the API server's eviction
 * subresource spends them: against an in-process API server, as `kubectl drain` meets them.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Pod, PodDisruptionBudget } from "../../api/generated/types.ts";
import type { KubeObject } from "../../api/object.ts";
import { resourcePath, resources } from "../../client/resources.ts";
import { eventually } from "../../client/testing/test-api.ts";
import { isStatusError, type StatusError } from "../../machinery/status.ts";
import {
  type ControllerHarness,
  markPodReady,
  startControllers,
  testPodSpec,
} from "../common/testing.ts";
import { budgetStatus, DisruptionController, expectedCounts } from "./disruption-controller.ts";

type PDB = PodDisruptionBudget & KubeObject;
type PodObj = Pod & KubeObject;
const ns = "default";
let h: ControllerHarness;

async function pod(name: string, labels: Record<string, string>, ready = true): Promise<void> {
  const created = await h.client.create<PodObj>(resourcePath(resources.pods, ns), {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, labels },
    spec: testPodSpec,
  });
  if (ready) await markPodReady(h.client, created);
}

async function budget(name: string, spec: PDB["spec"]): Promise<void> {
  await h.client.create(resourcePath(resources.poddisruptionbudgets, ns), {
    apiVersion: "policy/v1",
    kind: "PodDisruptionBudget",
    metadata: { name },
    spec,
  });
}

const status = async (name: string) =>
  (await h.client.get<PDB>(resourcePath(resources.poddisruptionbudgets, ns, name))).status;

const evict = (name: string) =>
  h.client.create(`${resourcePath(resources.pods, ns, name)}/eviction`, {
    apiVersion: "policy/v1",
    kind: "Eviction",
    metadata: { name, namespace: ns },
  });

describe("disruption controller and pods/eviction", () => {
  before(async () => {
    h = await startControllers({ create: [(ctx) => new DisruptionController(ctx)] });
  });
  after(() => h.stop());

  it("computes a budget's status from its ready pods", async () => {
    for (const n of ["db-0", "db-1", "db-2"]) await pod(n, { app: "db" });
    await pod("other", { app: "web" });
    await budget("db", { minAvailable: 2, selector: { matchLabels: { app: "db" } } });
    await eventually(async () => (await status("db"))?.disruptionsAllowed === 1);
    const s = await status("db");
    assert.equal(s?.currentHealthy, 3);
    assert.equal(s?.desiredHealthy, 2);
    assert.equal(s?.expectedPods, 3);
    assert.equal(s?.observedGeneration, 1);
    assert.deepEqual(
      s?.conditions?.map((c) => [c.type, c.status, c.reason]),
      [["DisruptionAllowed", "True", "SufficientPods"]],
    );
  });

  it("evicts while the budget allows, then answers 429 in upstream's words", async () => {
    await evict("db-0");
    const after = await status("db");
    assert.equal(after?.disruptionsAllowed, 0, "the eviction spent the disruption");
    await assert.rejects(evict("db-1"), (err: StatusError) => {
      assert.ok(isStatusError(err, "TooManyRequests"));
      assert.equal(err.status.code, 429);
      assert.equal(
        err.message,
        "Cannot evict pod as it would violate the pod's disruption budget.",
      );
      // Healthy is 3 until the controller has seen db-0 go, then 2.
      const [cause] = err.status.details?.causes ?? [];
      assert.equal(cause?.reason, "DisruptionBudget");
      assert.match(
        cause?.message ?? "",
        /^The disruption budget db needs 2 healthy pods and has [23] currently$/,
      );
      return true;
    });
    await h.client.get(resourcePath(resources.pods, ns, "db-1")); // still there
    await eventually(async () => (await status("db"))?.currentHealthy === 2);
  });

  it("lets pods that are not running go, and refuses a pod with two budgets", async () => {
    await pod("db-pending", { app: "db" }, false);
    await evict("db-pending"); // Pending: nothing more is disrupted
    await budget("db-too", { maxUnavailable: 1, selector: { matchLabels: { app: "db" } } });
    await assert.rejects(
      evict("db-1"),
      (err) =>
        isStatusError(err, "InternalError") &&
        /more than one PodDisruptionBudget/.test((err as Error).message),
    );
    // maxUnavailable needs the pods' controllers' scale; these pods have none: fail safe.
    await eventually(
      async () => (await status("db-too"))?.conditions?.[0]?.reason === "SyncFailed",
    );
    assert.equal((await status("db-too"))?.disruptionsAllowed, 0);
  });

  it("scales maxUnavailable budgets by a ReplicationController's replicas", async () => {
    const labels = { app: "legacy" };
    const rc = await h.client.create<KubeObject>(
      resourcePath(resources.replicationcontrollers, ns),
      {
        apiVersion: "v1",
        kind: "ReplicationController",
        metadata: { name: "legacy" },
        spec: { replicas: 4, template: { metadata: { labels }, spec: testPodSpec } },
      },
    );
    const ownerReferences = [
      {
        apiVersion: "v1",
        kind: "ReplicationController",
        name: "legacy",
        uid: rc.metadata?.uid ?? "",
        controller: true,
      },
    ];
    for (const name of ["legacy-a", "legacy-b", "legacy-c"]) {
      const created = await h.client.create<PodObj>(resourcePath(resources.pods, ns), {
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name, labels, ownerReferences },
        spec: testPodSpec,
      });
      await markPodReady(h.client, created);
    }
    await budget("legacy", { maxUnavailable: 1, selector: { matchLabels: labels } });
    await eventually(async () => (await status("legacy"))?.expectedPods === 4);
    const s = await status("legacy");
    assert.equal(s?.desiredHealthy, 3);
    assert.equal(s?.currentHealthy, 3);
    assert.equal(s?.disruptionsAllowed, 0);
  });
});

describe("budget arithmetic", () => {
  const pdb = (spec: NonNullable<PDB["spec"]>): PDB => ({
    metadata: { name: "b", generation: 2 },
    spec,
  });
  const pods = (n: number, owner = "rs-uid"): PodObj[] =>
    Array.from({ length: n }, (_, i) => ({
      metadata: {
        name: `p${i}`,
        ownerReferences: [
          { apiVersion: "apps/v1", kind: "ReplicaSet", name: "rs", uid: owner, controller: true },
        ],
      },
      status: { conditions: [{ type: "Ready", status: "True" }] },
    }));
  const scale10 = () => ({ uid: "rs-uid", replicas: 10 });

  it("scales percentages and maxUnavailable against the controller's replicas, rounding up", () => {
    assert.deepEqual(expectedCounts(pdb({ minAvailable: "25%" }), pods(8), scale10), {
      expectedPods: 10,
      desiredHealthy: 3,
    });
    assert.deepEqual(expectedCounts(pdb({ maxUnavailable: "15%" }), pods(8), scale10), {
      expectedPods: 10,
      desiredHealthy: 8,
    });
    assert.deepEqual(expectedCounts(pdb({ minAvailable: 5 }), pods(8), scale10), {
      expectedPods: 8,
      desiredHealthy: 5,
    });
  });

  it("forgets an eviction once its pod goes or after two minutes, and does not count it meanwhile", () => {
    const now = Date.parse("2026-01-01T00:10:00Z");
    const b: PDB = {
      ...pdb({ minAvailable: 1 }),
      status: {
        disruptionsAllowed: 0,
        currentHealthy: 0,
        desiredHealthy: 0,
        expectedPods: 0,
        disruptedPods: {
          p0: "2026-01-01T00:09:30Z",
          p1: "2026-01-01T00:07:00Z",
          gone: "2026-01-01T00:09:59Z",
        },
      },
    };
    const { status, recheckAt } = budgetStatus(b, pods(3), scale10, now);
    assert.deepEqual(status.disruptedPods, { p0: "2026-01-01T00:09:30Z" });
    assert.equal(status.currentHealthy, 2, "p0 was evicted a moment ago");
    assert.equal(status.disruptionsAllowed, 1);
    assert.equal(status.observedGeneration, 2);
    assert.equal(recheckAt, Date.parse("2026-01-01T00:11:30Z"));
  });
});
