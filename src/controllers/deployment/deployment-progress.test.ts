/**
 * Time-driven Deployment behaviour on a FakeClock: ProgressDeadlineExceeded after
 * progressDeadlineSeconds without progress, and availability after minReadySeconds. A ticker
 * moves the clock a little all the time so that retries with back-off still run.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { eventually } from "../../client/testing/test-api.ts";
import { FakeClock } from "../../machinery/clock.ts";
import { type ControllerHarness, listPods, markPodReady } from "../common/testing.ts";
import {
  deployment,
  dPath,
  getDeployment,
  listReplicaSets,
  ns,
  rolloutComplete,
  startCluster,
} from "./testing.ts";

describe("deployment progress", () => {
  const clock = new FakeClock();
  let h: ControllerHarness;
  let ticker: NodeJS.Timeout;
  before(async () => {
    h = await startCluster(clock);
    ticker = setInterval(() => clock.advance(5), 5);
  });
  after(async () => {
    clearInterval(ticker);
    await h.stop();
  });

  it("reports ProgressDeadlineExceeded when pods never become ready", async () => {
    await h.client.create(dPath(), deployment("slow", 2, { progressDeadlineSeconds: 30 }));
    await eventually(async () => {
      const d = await getDeployment(h.client, "slow");
      return (
        d.status?.updatedReplicas === 2 && d.status.observedGeneration === d.metadata?.generation
      );
    });
    await new Promise((r) => setTimeout(r, 100));
    let d = await getDeployment(h.client, "slow");
    const before = d.status?.conditions?.find((c) => c.type === "Progressing");
    assert.equal(before?.status, "True");
    clock.advance(31_000);
    d = await eventually(async () => {
      const cur = await getDeployment(h.client, "slow");
      const cond = cur.status?.conditions?.find((c) => c.type === "Progressing");
      return cond?.reason === "ProgressDeadlineExceeded" && cur;
    });
    const [rs] = await listReplicaSets(h.client, "slow");
    const cond = d.status?.conditions?.find((c) => c.type === "Progressing");
    assert.equal(cond?.status, "False");
    assert.equal(cond?.message, `ReplicaSet "${rs?.metadata?.name}" has timed out progressing.`);
    const available = d.status?.conditions?.find((c) => c.type === "Available");
    assert.equal(available?.reason, "MinimumReplicasUnavailable");
    assert.equal(d.status?.unavailableReplicas, 2);
  });

  it("counts pods available only after minReadySeconds", async () => {
    await h.client.create(dPath(), deployment("mrs", 2, { minReadySeconds: 10 }));
    const pods = await eventually(async () => {
      const list = await listPods(h.client, ns, { app: "mrs" });
      return list.length === 2 && list;
    });
    await Promise.all(pods.map((p) => markPodReady(h.client, p, clock.now())));
    let d = await eventually(async () => {
      const cur = await getDeployment(h.client, "mrs");
      return cur.status?.readyReplicas === 2 && cur;
    });
    assert.equal(d.status?.availableReplicas, undefined);
    assert.equal(rolloutComplete(d), false);
    clock.advance(11_500);
    d = await eventually(async () => {
      const cur = await getDeployment(h.client, "mrs");
      return rolloutComplete(cur) && cur;
    });
    assert.equal(d.status?.availableReplicas, 2);
  });
});
