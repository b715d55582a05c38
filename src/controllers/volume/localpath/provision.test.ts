import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { localPathStorageClass } from "../../../api/storage/local-path.ts";
import { pvc } from "../testing.ts";
import { localPathVolume, nodeStorageDir, unsupportedClaim } from "./provision.ts";

describe("local-path volumes", () => {
  it("refuses selectors, shared access modes and block volumes, as k3s does", () => {
    assert.equal(unsupportedClaim(pvc("ok", { accessModes: ["ReadWriteOncePod"] })), undefined);
    assert.equal(
      unsupportedClaim(pvc("s", { selector: { matchLabels: { a: "b" } } })),
      "claim.Spec.Selector is not supported",
    );
    assert.equal(
      unsupportedClaim(pvc("rox", { accessModes: ["ReadOnlyMany"] })),
      "NodePath only supports ReadWriteOnce and ReadWriteOncePod (1.22+) access modes",
    );
    assert.equal(
      unsupportedClaim(pvc("b", { volumeMode: "Block" })),
      "local-path only supports volumeMode Filesystem",
    );
  });

  it("pins the volume to the node's hostname label and keeps the class's mount options", () => {
    const node = {
      metadata: {
        name: "worker-1",
        labels: { "kubernetes.io/hostname": "worker-1.example" },
        annotations: { "local-path.bosun.dev/storage-dir": "/data/bosun/storage/" },
      },
    };
    const claim = pvc(
      "db",
      { resources: { requests: { storage: "3Gi" } } },
      { uid: "u1", namespace: "apps" },
    );
    const volume = localPathVolume({
      claim,
      storageClass: { ...localPathStorageClass(), mountOptions: ["noatime"] },
      node,
    });
    assert.equal(volume.metadata?.name, "pvc-u1");
    assert.equal(volume.spec?.hostPath?.path, "/data/bosun/storage/pvc-u1_apps_db");
    assert.deepEqual(volume.spec?.capacity, { storage: "3Gi" });
    assert.deepEqual(volume.spec?.mountOptions, ["noatime"]);
    assert.equal(
      volume.spec?.nodeAffinity?.required?.nodeSelectorTerms[0]?.matchExpressions?.[0]?.values?.[0],
      "worker-1.example",
    );
    assert.equal(volume.metadata?.labels?.["local-path.bosun.dev/node"], "worker-1");
    assert.equal(volume.spec?.claimRef?.uid, "u1");
    assert.equal(nodeStorageDir({ metadata: { name: "bare" } }), "/var/lib/bosun/storage");
  });
});
