import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { VolumeAttachment } from "../../generated/types.ts";
import type { Obj } from "../core/common.ts";
import {
  created,
  printRow,
  simulateCreate,
  simulateStatusUpdate,
  simulateUpdate,
  t0,
} from "../core/testing.ts";
import { volumeAttachmentResource } from "./volume-attachment.ts";

const attachment = (spec: VolumeAttachment["spec"]): Obj<VolumeAttachment> => ({
  apiVersion: "storage.k8s.io/v1",
  kind: "VolumeAttachment",
  metadata: { name: "csi-0123", creationTimestamp: created },
  spec,
});

const valid = attachment({
  attacher: "ebs.csi.aws.com",
  nodeName: "node-a",
  source: { persistentVolumeName: "pv-1" },
});

describe("VolumeAttachment", () => {
  it("resets status on create and prints the attacher, PV, node and attached state", () => {
    const { obj, errors } = simulateCreate(volumeAttachmentResource, {
      ...valid,
      status: { attached: true },
    });
    assert.deepEqual(errors, []);
    assert.equal(obj.status, undefined);
    assert.deepEqual(printRow(volumeAttachmentResource, obj, t0 + 60_000), {
      Name: "csi-0123",
      Attacher: "ebs.csi.aws.com",
      PV: "pv-1",
      Node: "node-a",
      Attached: false,
      Age: "60s",
    });
  });

  it("wants a CSI attacher, a node and exactly one source", () => {
    const none = simulateCreate(
      volumeAttachmentResource,
      attachment({ attacher: "", nodeName: "node-a", source: {} }),
    ).errors;
    // Upstream's ValidateVolumeAttachment and ValidateVolumeAttachmentV1 both require it.
    assert.deepEqual(none.slice(0, 3), [
      "spec.attacher: Required value",
      "spec.source: Required value: must specify exactly one of inlineVolumeSpec and persistentVolumeName",
      "spec.attacher: Required value",
    ]);
    assert.match(
      none[3] ?? "",
      /^spec\.attacher: Invalid value: "": a lowercase RFC 1123 subdomain/,
    );
    const both = simulateCreate(
      volumeAttachmentResource,
      attachment({
        attacher: "x".repeat(64),
        nodeName: "Node_A",
        source: { persistentVolumeName: "pv-1", inlineVolumeSpec: {} },
      }),
    ).errors;
    assert.equal(
      both[0],
      "spec.source: Forbidden: must specify exactly one of inlineVolumeSpec and persistentVolumeName",
    );
    assert.match(both[1] ?? "", /^spec\.nodeName: Invalid value: "Node_A": a lowercase RFC 1123/);
    assert.equal(both[2], "spec.attacher: Too long: may not be more than 63 bytes");
    const emptyPV = simulateCreate(
      volumeAttachmentResource,
      attachment({ attacher: "a.csi", nodeName: "n", source: { persistentVolumeName: "" } }),
    ).errors;
    assert.deepEqual(emptyPV, [
      "spec.source.persistentVolumeName: Required value: must specify non empty persistentVolumeName",
    ]);
  });

  it("checks an inline volume spec as a CSI persistent volume without capacity", () => {
    const ok = simulateCreate(
      volumeAttachmentResource,
      attachment({
        attacher: "a.csi",
        nodeName: "n",
        source: {
          inlineVolumeSpec: {
            accessModes: ["ReadWriteOnce"],
            csi: { driver: "a.csi", volumeHandle: "vol-1" },
          },
        },
      }),
    );
    assert.deepEqual(ok.errors, []);
    const bad = simulateCreate(
      volumeAttachmentResource,
      attachment({
        attacher: "a.csi",
        nodeName: "n",
        source: {
          inlineVolumeSpec: {
            accessModes: ["ReadWriteOnce"],
            capacity: { storage: "1Gi" },
            hostPath: { path: "/data" },
          },
        },
      }),
    );
    assert.deepEqual(bad.errors, [
      "spec.source.inlineVolumeSpec.capacity: Forbidden: may not be specified in the context of inline volumes",
      "spec.source.inlineVolumeSpec.csi: Required value: has to be specified in the context of inline volumes",
    ]);
  });

  it("keeps the spec and checks status updates", () => {
    const moved = structuredClone(valid);
    moved.spec.nodeName = "node-b";
    const errors = simulateUpdate(volumeAttachmentResource, moved, valid).errors;
    assert.equal(errors.length, 1);
    assert.match(errors[0] ?? "", /^spec: Invalid value: .*node-b.*: field is immutable$/);
    const attached = {
      ...valid,
      status: { attached: true, attachError: { message: "m".repeat(1025), errorCode: -1 } },
    };
    const status = simulateStatusUpdate(volumeAttachmentResource, attached, valid);
    assert.deepEqual(status.errors, [
      "status.attachError.message: Too long: may not be more than 262144 bytes",
      "status.attachError.errorCode: Invalid value: -1: must be between 0 and 2147483647, inclusive",
    ]);
    const fine = simulateStatusUpdate(
      volumeAttachmentResource,
      { ...valid, status: { attached: true } },
      valid,
    );
    assert.deepEqual(fine.errors, []);
    assert.equal(printRow(volumeAttachmentResource, fine.obj, t0).Attached, true);
  });
});
