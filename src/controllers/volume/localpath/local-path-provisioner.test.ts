import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { resourcePath, resources } from "../../../client/resources.ts";
import { type Harness, startControllers } from "../../job/test-harness.ts";
import type { PersistentVolume, PersistentVolumeClaim } from "../common/volume-util.ts";
import { persistentVolumeControllerFactory } from "../persistentvolume/pv-controller.ts";
import { pvcProtectionControllerFactory } from "../pvcprotection/pvc-protection-controller.ts";
import { pvProtectionControllerFactory } from "../pvprotection/pv-protection-controller.ts";
import {
  getOr,
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
import { localPathProvisionerFactory } from "./local-path-provisioner.ts";

let h: Harness;
const nodePath = (name = "") => resourcePath(resources.nodes, "", name);
const selectNode = (claim: string, node: string) =>
  h.client.patch(pvcPath(claim), "merge", {
    metadata: { annotations: { "volume.kubernetes.io/selected-node": node } },
  });
const dropCleanupFinalizer = async (name: string) => {
  const v = await h.client.get<PersistentVolume>(pvPath(name));
  const finalizers = (v.metadata?.finalizers ?? []).filter(
    (f) => f !== "local-path.bosun.dev/cleanup",
  );
  await h.client.patch(pvPath(name), "merge", { metadata: { finalizers } });
};

describe("local-path provisioner", () => {
  before(async () => {
    h = await startControllers([
      persistentVolumeControllerFactory,
      localPathProvisionerFactory,
      pvcProtectionControllerFactory,
      pvProtectionControllerFactory,
    ]);
    for (const [name, dir] of [
      ["node-1", "/srv/bosun/storage"],
      ["node-2", ""],
    ] as const) {
      await h.client.create(nodePath(), {
        apiVersion: "v1",
        kind: "Node",
        metadata: {
          name,
          labels: { "kubernetes.io/hostname": name },
          ...(dir ? { annotations: { "local-path.bosun.dev/storage-dir": dir } } : {}),
        },
      });
    }
  });
  after(() => h.stop());

  it("provisions a hostPath volume on the selected node and binds it", async () => {
    const created = await h.client.create<PersistentVolumeClaim>(pvcPath(), pvc("data"));
    assert.equal(created.spec?.storageClassName, "local-path", "the default class");
    await waitForEvent(h.client, "data", "WaitForFirstConsumer");
    await selectNode("data", "node-1");
    const claim = await waitFor<PersistentVolumeClaim>(
      h.client,
      pvcPath("data"),
      (c) => c.status?.phase === "Bound",
    );
    const name = `pvc-${created.metadata?.uid}`;
    assert.equal(claim.spec?.volumeName, name);
    const volume = await h.client.get<PersistentVolume>(pvPath(name));
    assert.deepEqual(volume.spec?.hostPath, {
      path: `/srv/bosun/storage/${name}_default_data`,
      type: "DirectoryOrCreate",
    });
    assert.deepEqual(volume.spec?.nodeAffinity?.required?.nodeSelectorTerms, [
      {
        matchExpressions: [{ key: "kubernetes.io/hostname", operator: "In", values: ["node-1"] }],
      },
    ]);
    assert.equal(volume.spec?.persistentVolumeReclaimPolicy, "Delete");
    assert.equal(volume.spec?.storageClassName, "local-path");
    assert.deepEqual(volume.spec?.capacity, { storage: "1Gi" });
    assert.equal(volume.metadata?.labels?.["local-path.bosun.dev/node"], "node-1");
    assert.equal(
      volume.metadata?.annotations?.["pv.kubernetes.io/provisioned-by"],
      "bosun.dev/local-path",
    );
    assert.deepEqual(volume.metadata?.finalizers?.sort(), [
      "kubernetes.io/pv-protection",
      "local-path.bosun.dev/cleanup",
    ]);
    assert.equal(
      await waitForEvent(h.client, "data", "Provisioning"),
      'External provisioner is provisioning volume for claim "default/data"',
    );
    assert.equal(
      await waitForEvent(h.client, "data", "ProvisioningSucceeded"),
      `Successfully provisioned volume ${name}`,
    );

    // Deleting the claim deletes the volume, which waits for its node to clean up.
    await h.client.delete(pvcPath("data"));
    await waitFor<PersistentVolume>(h.client, pvPath(name), (v) => !!v.metadata?.deletionTimestamp);
    await settle();
    const terminating = await h.client.get<PersistentVolume>(pvPath(name));
    assert.deepEqual(terminating.metadata?.finalizers, ["local-path.bosun.dev/cleanup"]);
    await dropCleanupFinalizer(name);
    await waitGone(h.client, pvPath(name));
  });

  it("uses the default storage dir for a node that publishes none, and keeps Retain volumes", async () => {
    await h.client.create(
      scPath(),
      storageClass("keep", {
        provisioner: "bosun.dev/local-path",
        reclaimPolicy: "Retain",
        volumeBindingMode: "WaitForFirstConsumer",
      }),
    );
    const created = await h.client.create<PersistentVolumeClaim>(
      pvcPath(),
      pvc("kept", { storageClassName: "keep" }),
    );
    await selectNode("kept", "node-2");
    await waitFor<PersistentVolumeClaim>(
      h.client,
      pvcPath("kept"),
      (c) => c.status?.phase === "Bound",
    );
    const name = `pvc-${created.metadata?.uid}`;
    const volume = await h.client.get<PersistentVolume>(pvPath(name));
    assert.equal(volume.spec?.hostPath?.path, `/var/lib/bosun/storage/${name}_default_kept`);
    await h.client.delete(pvcPath("kept"));
    await waitFor<PersistentVolume>(h.client, pvPath(name), (v) => v.status?.phase === "Released");
    await settle();
    assert.equal(
      (await h.client.get<PersistentVolume>(pvPath(name))).metadata?.deletionTimestamp,
      undefined,
    );
  });

  it("refuses what it cannot provide, and sends a claim for a vanished node back", async () => {
    await h.client.create(pvcPath(), pvc("shared", { accessModes: ["ReadWriteMany"] }));
    await selectNode("shared", "node-1");
    assert.equal(
      await waitForEvent(h.client, "shared", "ProvisioningFailed"),
      'failed to provision volume with StorageClass "local-path": NodePath only supports ReadWriteOnce and ReadWriteOncePod (1.22+) access modes',
    );

    await h.client.create(pvcPath(), pvc("lost", {}));
    await selectNode("lost", "ghost");
    assert.equal(
      await waitForEvent(h.client, "lost", "ProvisioningFailed"),
      'nodes "ghost" not found',
    );
    await waitFor<PersistentVolumeClaim>(
      h.client,
      pvcPath("lost"),
      (c) => c.metadata?.annotations?.["volume.kubernetes.io/selected-node"] === undefined,
    );

    await h.client.create(
      scPath(),
      storageClass("now", { provisioner: "bosun.dev/local-path", volumeBindingMode: "Immediate" }),
    );
    await h.client.create(pvcPath(), pvc("eager", { storageClassName: "now" }));
    assert.equal(
      await waitForEvent(h.client, "eager", "ProvisioningFailed"),
      'failed to provision volume with StorageClass "now": configuration error, no node was specified',
    );
  });

  it("lets a deleted volume go when its node is gone for good", async () => {
    const created = await h.client.create<PersistentVolumeClaim>(pvcPath(), pvc("orphan"));
    await selectNode("orphan", "node-2");
    await waitFor<PersistentVolumeClaim>(
      h.client,
      pvcPath("orphan"),
      (c) => c.status?.phase === "Bound",
    );
    const name = `pvc-${created.metadata?.uid}`;
    await h.client.delete(pvcPath("orphan"));
    await waitFor<PersistentVolume>(h.client, pvPath(name), (v) => !!v.metadata?.deletionTimestamp);
    assert.ok(await getOr(h.client, pvPath(name)));
    await h.client.delete(nodePath("node-2"));
    await waitGone(h.client, pvPath(name));
  });
});
