import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type Harness, startControllers } from "../../job/test-harness.ts";
import type { PersistentVolumeClaim } from "../common/volume-util.ts";
import { pvProtectionControllerFactory } from "../pvprotection/pv-protection-controller.ts";
import {
  getOr,
  podPath,
  podWithClaims,
  pv,
  pvc,
  pvcPath,
  pvPath,
  settle,
  waitFor,
  waitGone,
} from "../testing.ts";
import { podUsesPVC, pvcProtectionControllerFactory } from "./pvc-protection-controller.ts";

let h: Harness;
const finalizer = "kubernetes.io/pvc-protection";

describe("pvc-protection controller", () => {
  before(async () => {
    h = await startControllers([pvcProtectionControllerFactory, pvProtectionControllerFactory]);
  });
  after(() => h.stop());

  it("keeps a claim a scheduled pod uses until the pod is gone", async () => {
    const claim = await h.client.create<PersistentVolumeClaim>(pvcPath(), pvc("used"));
    assert.deepEqual(claim.metadata?.finalizers, [finalizer]);
    await h.client.create(podPath(), podWithClaims("user", ["used"], "node-1"));
    await h.client.create(podPath(), podWithClaims("pending", ["used"]));
    await settle();
    await h.client.delete(pvcPath("used"));
    await settle(300);
    const terminating = await getOr<PersistentVolumeClaim>(h.client, pvcPath("used"));
    assert.ok(terminating?.metadata?.deletionTimestamp, "the claim is kept, terminating");
    await h.client.delete(podPath("user"), { gracePeriodSeconds: 0 });
    await waitGone(h.client, pvcPath("used"));
    await h.client.delete(podPath("pending"), { gracePeriodSeconds: 0 });
  });

  it("lets an unused claim go at once and puts a removed finalizer back", async () => {
    await h.client.create(pvcPath(), pvc("free"));
    await h.client.patch(pvcPath("free"), "merge", { metadata: { finalizers: null } });
    const back = await waitFor<PersistentVolumeClaim>(h.client, pvcPath("free"), (c) =>
      (c.metadata?.finalizers ?? []).includes(finalizer),
    );
    assert.deepEqual(back.metadata?.finalizers, [finalizer]);
    await h.client.delete(pvcPath("free"));
    await waitGone(h.client, pvcPath("free"));
  });

  it("decides use as upstream: scheduled pods, ephemeral claims until shut down", () => {
    const claim = pvc(
      "p-scratch",
      {},
      {
        ownerReferences: [
          { apiVersion: "v1", kind: "Pod", name: "p", uid: "u1", controller: true },
        ],
      },
    );
    const pod = {
      metadata: { name: "p", namespace: "default", uid: "u1" },
      spec: {
        nodeName: "n1",
        containers: [],
        volumes: [{ name: "scratch", ephemeral: { volumeClaimTemplate: { spec: {} } } }],
      },
    };
    assert.equal(podUsesPVC(pod, claim), true);
    const shutDown = {
      ...pod,
      metadata: {
        ...pod.metadata,
        deletionTimestamp: "2026-01-01T00:00:00Z",
        deletionGracePeriodSeconds: 0,
      },
    };
    assert.equal(podUsesPVC(shutDown, claim), false);
    assert.equal(podUsesPVC({ ...pod, spec: { ...pod.spec, nodeName: "" } }, claim), false);
    assert.equal(podUsesPVC({ ...pod, metadata: { ...pod.metadata, uid: "other" } }, claim), false);
  });
});

describe("pv-protection controller", () => {
  before(async () => {
    h = await startControllers([pvProtectionControllerFactory]);
  });
  after(() => h.stop());

  it("keeps a Bound volume and lets it go once it is not bound", async () => {
    const volume = await h.client.create<ReturnType<typeof pv>>(pvPath(), pv("held"));
    assert.deepEqual(volume.metadata?.finalizers, ["kubernetes.io/pv-protection"]);
    await h.client.patch(pvPath("held", "status"), "merge", { status: { phase: "Bound" } });
    await h.client.delete(pvPath("held"));
    await settle(300);
    assert.ok((await getOr(h.client, pvPath("held"))) !== undefined);
    await h.client.patch(pvPath("held", "status"), "merge", { status: { phase: "Released" } });
    await waitGone(h.client, pvPath("held"));
  });
});
