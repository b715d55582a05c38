import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type Harness, startControllers } from "../../job/test-harness.ts";
import type { PersistentVolume, PersistentVolumeClaim } from "../common/volume-util.ts";
import { pvcProtectionControllerFactory } from "../pvcprotection/pvc-protection-controller.ts";
import { pvProtectionControllerFactory } from "../pvprotection/pv-protection-controller.ts";
import {
  eventsFor,
  podPath,
  podWithClaims,
  pv,
  pvc,
  pvcPath,
  pvPath,
  scPath,
  settle,
  storageClass,
  waitFor,
  waitForEvent,
  waitGone,
} from "../testing.ts";
import { persistentVolumeControllerFactory } from "./pv-controller.ts";

let h: Harness;
const create = <T>(path: string, obj: T) => h.client.create<T>(path, obj);
const bound = (c: PersistentVolumeClaim) => c.status?.phase === "Bound";
const phase = (p: string) => (v: PersistentVolume) => v.status?.phase === p;

describe("persistentvolume controller", () => {
  before(async () => {
    h = await startControllers([
      persistentVolumeControllerFactory,
      pvcProtectionControllerFactory,
      pvProtectionControllerFactory,
    ]);
  });
  after(() => h.stop());

  it("binds a claim to the smallest fitting volume, preferring fewer access modes", async () => {
    await create(pvPath(), pv("big", { capacity: { storage: "10Gi" } }));
    await create(pvPath(), pv("rwx", { accessModes: ["ReadWriteOnce", "ReadWriteMany"] }));
    await create(pvPath(), pv("small", { capacity: { storage: "2Gi" } }));
    await create(pvPath(), pv("tiny", { capacity: { storage: "100Mi" } }));
    await waitFor(h.client, pvPath("small"), phase("Available"));
    await create(pvcPath(), pvc("data", { storageClassName: "" }));
    const claim = await waitFor<PersistentVolumeClaim>(h.client, pvcPath("data"), bound);
    assert.equal(claim.spec?.volumeName, "small");
    assert.deepEqual(claim.status?.capacity, { storage: "2Gi" });
    assert.deepEqual(claim.status?.accessModes, ["ReadWriteOnce"]);
    assert.equal(claim.metadata?.annotations?.["pv.kubernetes.io/bind-completed"], "yes");
    assert.equal(claim.metadata?.annotations?.["pv.kubernetes.io/bound-by-controller"], "yes");
    const volume = await waitFor<PersistentVolume>(h.client, pvPath("small"), phase("Bound"));
    assert.equal(volume.spec?.claimRef?.name, "data");
    assert.equal(volume.spec?.claimRef?.uid, claim.metadata?.uid);
    assert.equal(volume.metadata?.annotations?.["pv.kubernetes.io/bound-by-controller"], "yes");
    const stamped = Date.parse(volume.status?.lastPhaseTransitionTime ?? "");
    assert.ok(Math.abs(stamped - h.clock.now()) < 2000, "lastPhaseTransitionTime from the clock");
  });

  it("honours the claim's selector and a volume pre-bound to a claim", async () => {
    await create(pvPath(), pv("plain-1"));
    await create(pvPath(), pv("fast-1", {}, { labels: { speed: "fast" } }));
    await create(pvPath(), pv("reserved", { claimRef: { namespace: "default", name: "mine" } }));
    await create(
      pvcPath(),
      pvc("picky", { storageClassName: "", selector: { matchLabels: { speed: "fast" } } }),
    );
    await create(pvcPath(), pvc("mine", { storageClassName: "" }));
    const picky = await waitFor<PersistentVolumeClaim>(h.client, pvcPath("picky"), bound);
    assert.equal(picky.spec?.volumeName, "fast-1");
    const mine = await waitFor<PersistentVolumeClaim>(h.client, pvcPath("mine"), bound);
    assert.equal(mine.spec?.volumeName, "reserved");
  });

  it("leaves a claim Pending with FailedBinding when nothing fits and no class is set", async () => {
    await create(
      pvcPath(),
      pvc("huge", { storageClassName: "", resources: { requests: { storage: "1Ti" } } }),
    );
    assert.equal(
      await waitForEvent(h.client, "huge", "FailedBinding"),
      "no persistent volumes available for this claim and no storage class is set",
    );
    const claim = await h.client.get<PersistentVolumeClaim>(pvcPath("huge"));
    assert.equal(claim.status?.phase, "Pending");
  });

  it("retries an unbound claim on the resync period, moved by the injected clock", async () => {
    const selector = { matchLabels: { test: "later" } };
    await create(pvcPath(), pvc("later", { storageClassName: "", selector }));
    await waitForEvent(h.client, "later", "FailedBinding");
    await create(pvPath(), pv("arrives", {}, { labels: { test: "later" } }));
    await waitFor(h.client, pvPath("arrives"), phase("Available"));
    await settle();
    assert.equal(
      (await h.client.get<PersistentVolumeClaim>(pvcPath("later"))).spec?.volumeName,
      undefined,
    );
    h.clock.advance(15_000);
    const claim = await waitFor<PersistentVolumeClaim>(h.client, pvcPath("later"), bound);
    assert.equal(claim.spec?.volumeName, "arrives");
  });

  it("binds a claim that names its volume, or explains why it cannot", async () => {
    await create(pvPath(), pv("wanted", { capacity: { storage: "3Gi" } }));
    await create(pvPath(), pv("too-small", { capacity: { storage: "100Mi" } }));
    await create(pvcPath(), pvc("named", { storageClassName: "", volumeName: "wanted" }));
    await create(pvcPath(), pvc("named-small", { storageClassName: "", volumeName: "too-small" }));
    const named = await waitFor<PersistentVolumeClaim>(h.client, pvcPath("named"), bound);
    assert.equal(named.metadata?.annotations?.["pv.kubernetes.io/bound-by-controller"], undefined);
    assert.equal(
      await waitForEvent(h.client, "named-small", "VolumeMismatch"),
      'Cannot bind to requested volume "too-small": requested PV is too small',
    );
  });

  it("hands a claim of an external class to its provisioner and binds what it creates", async () => {
    await create(scPath(), storageClass("external", { volumeBindingMode: "Immediate" }));
    const created = await create(pvcPath(), pvc("dyn", { storageClassName: "external" }));
    const claim = await waitFor<PersistentVolumeClaim>(
      h.client,
      pvcPath("dyn"),
      (c) => c.metadata?.annotations?.["volume.kubernetes.io/storage-provisioner"] !== undefined,
    );
    assert.equal(
      claim.metadata?.annotations?.["volume.beta.kubernetes.io/storage-provisioner"],
      "example.com/external",
    );
    assert.match(
      await waitForEvent(h.client, "dyn", "ExternalProvisioning"),
      /^Waiting for a volume to be created either by the external provisioner 'example.com\/external' or manually/,
    );
    // The provisioner creates a volume pre-bound to the claim; the controller finishes.
    await create(
      pvPath(),
      pv(
        `pvc-${created.metadata?.uid}`,
        {
          storageClassName: "external",
          persistentVolumeReclaimPolicy: "Delete",
          claimRef: {
            kind: "PersistentVolumeClaim",
            namespace: "default",
            name: "dyn",
            uid: created.metadata?.uid ?? "",
          },
        },
        { annotations: { "pv.kubernetes.io/provisioned-by": "example.com/external" } },
      ),
    );
    const done = await waitFor<PersistentVolumeClaim>(h.client, pvcPath("dyn"), bound);
    assert.equal(done.spec?.volumeName, `pvc-${created.metadata?.uid}`);

    // Deleting the claim releases the volume for its provisioner to delete.
    await h.client.delete(pvcPath("dyn"));
    const released = await waitFor<PersistentVolume>(
      h.client,
      pvPath(`pvc-${created.metadata?.uid}`),
      phase("Released"),
    );
    assert.equal(released.status?.message, undefined);
  });

  it("reports claims whose class is missing or has no provisioner", async () => {
    await create(pvcPath(), pvc("no-class", { storageClassName: "missing" }));
    assert.equal(
      await waitForEvent(h.client, "no-class", "ProvisioningFailed"),
      'storageclass.storage.k8s.io "missing" not found',
    );
    await create(
      scPath(),
      storageClass("manual", {
        provisioner: "kubernetes.io/no-provisioner",
        volumeBindingMode: "Immediate",
      }),
    );
    await create(pvcPath(), pvc("manual-claim", { storageClassName: "manual" }));
    assert.equal(
      await waitForEvent(h.client, "manual-claim", "ProvisioningFailed"),
      "no volume plugin matched name: kubernetes.io/no-provisioner",
    );
  });

  it("waits for the first consumer, then hands the claim over once a node is selected", async () => {
    await create(scPath(), storageClass("late", { volumeBindingMode: "WaitForFirstConsumer" }));
    await create(pvcPath(), pvc("wffc", { storageClassName: "late" }));
    assert.equal(
      await waitForEvent(h.client, "wffc", "WaitForFirstConsumer"),
      "waiting for first consumer to be created before binding",
    );
    await create(podPath(), podWithClaims("consumer", ["wffc"]));
    await settle();
    h.clock.advance(15_000);
    assert.equal(
      await waitForEvent(h.client, "wffc", "WaitForPodScheduled"),
      "waiting for pod consumer to be scheduled",
    );
    await h.client.patch(pvcPath("wffc"), "merge", {
      metadata: { annotations: { "volume.kubernetes.io/selected-node": "node-1" } },
    });
    const claim = await waitFor<PersistentVolumeClaim>(
      h.client,
      pvcPath("wffc"),
      (c) =>
        c.metadata?.annotations?.["volume.kubernetes.io/storage-provisioner"] ===
        "example.com/external",
    );
    assert.equal(claim.status?.phase, "Pending");
    await h.client.delete(podPath("consumer"), { gracePeriodSeconds: 0 });
  });

  it("gives a class-less claim the default class once one exists", async () => {
    await h.client.delete(scPath("local-path")); // the API server's default class
    await settle();
    await create(pvcPath(), pvc("classless", { resources: { requests: { storage: "3Ti" } } }));
    await waitForEvent(h.client, "classless", "FailedBinding");
    await create(
      scPath(),
      storageClass("standard", { isDefault: true, volumeBindingMode: "WaitForFirstConsumer" }),
    );
    await settle();
    h.clock.advance(15_000);
    const claim = await waitFor<PersistentVolumeClaim>(
      h.client,
      pvcPath("classless"),
      (c) => c.spec?.storageClassName === "standard",
    );
    assert.equal(claim.status?.phase, "Pending");
    await h.client.delete(scPath("standard"));
  });

  it("runs reclaim policies when the claim goes: Retain, and Delete without a deleter", async () => {
    await create(pvPath(), pv("kept", { capacity: { storage: "7Gi" } }));
    await create(
      pvPath(),
      pv("doomed", { capacity: { storage: "8Gi" }, persistentVolumeReclaimPolicy: "Delete" }),
    );
    await create(pvcPath(), pvc("keep-me", { storageClassName: "", volumeName: "kept" }));
    await create(pvcPath(), pvc("doom-me", { storageClassName: "", volumeName: "doomed" }));
    await waitFor(h.client, pvcPath("keep-me"), bound);
    await waitFor(h.client, pvcPath("doom-me"), bound);
    await h.client.delete(pvcPath("keep-me"));
    await h.client.delete(pvcPath("doom-me"));
    await waitFor(h.client, pvPath("kept"), phase("Released"));
    const failed = await waitFor<PersistentVolume>(h.client, pvPath("doomed"), phase("Failed"));
    const message =
      'failed to create deleter for volume "doomed": host_path deleter only supports /tmp/.+ but received provided /data/doomed';
    assert.equal(failed.status?.message, message);
    const events = await eventsFor(h.client, "doomed");
    assert.ok(
      events.some(
        (e) => e.reason === "VolumeFailedDelete" && e.type === "Warning" && e.message === message,
      ),
    );
  });

  it("marks a bound claim Lost when its volume disappears", async () => {
    await create(pvPath(), pv("fleeting", { capacity: { storage: "9Gi" } }));
    await create(pvcPath(), pvc("orphan", { storageClassName: "", volumeName: "fleeting" }));
    await waitFor(h.client, pvcPath("orphan"), bound);
    // Unbound from its claim first so that pv-protection lets it go.
    await h.client.delete(pvcPath("orphan"));
    await waitFor(h.client, pvPath("fleeting"), phase("Released"));
    await waitGone(h.client, pvcPath("orphan"));

    await create(pvPath(), pv("vanishing", { capacity: { storage: "11Gi" } }));
    await create(pvcPath(), pvc("loser", { storageClassName: "", volumeName: "vanishing" }));
    await waitFor(h.client, pvcPath("loser"), bound);
    await h.client.patch(pvPath("vanishing"), "merge", { metadata: { finalizers: null } });
    await h.client.delete(pvPath("vanishing"));
    await waitGone(h.client, pvPath("vanishing"));
    await waitFor<PersistentVolumeClaim>(
      h.client,
      pvcPath("loser"),
      (c) => c.status?.phase === "Lost",
    );
    assert.equal(
      await waitForEvent(h.client, "loser", "ClaimLost"),
      "Bound claim has lost its PersistentVolume. Data on the volume is lost!",
    );
  });
});
