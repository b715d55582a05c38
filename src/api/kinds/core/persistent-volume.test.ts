import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type {
  PersistentVolume,
  PersistentVolumeClaim,
  PersistentVolumeClaimSpec,
  PersistentVolumeSpec,
} from "../../generated/types.ts";
import type { Obj } from "./common.ts";
import { persistentVolumeResource } from "./persistent-volume.ts";
import { persistentVolumeClaimResource } from "./persistent-volume-claim.ts";
import {
  created,
  printRow,
  simulateCreate,
  simulateStatusUpdate,
  simulateUpdate,
  t0,
} from "./testing.ts";

const pv = (spec: PersistentVolumeSpec): Obj<PersistentVolume> => ({
  metadata: { name: "pv1", creationTimestamp: created },
  spec,
});
const validPV: PersistentVolumeSpec = {
  accessModes: ["ReadWriteOnce"],
  capacity: { storage: "10Gi" },
  hostPath: { path: "/data/pv1" },
};

const pvc = (spec: PersistentVolumeClaimSpec): Obj<PersistentVolumeClaim> => ({
  metadata: { name: "data", namespace: "default", creationTimestamp: created },
  spec,
});
const validPVC: PersistentVolumeClaimSpec = {
  accessModes: ["ReadWriteOnce"],
  resources: { requests: { storage: "1Gi" } },
  storageClassName: "local-path",
};

describe("PersistentVolume", () => {
  it("defaults the reclaim policy, volume mode and phase", () => {
    const { obj, errors } = simulateCreate(persistentVolumeResource, pv(validPV));
    assert.deepEqual(errors, []);
    assert.equal(obj.spec?.persistentVolumeReclaimPolicy, "Retain");
    assert.equal(obj.spec?.volumeMode, "Filesystem");
    assert.deepEqual(obj.status, { phase: "Pending", lastPhaseTransitionTime: created });
  });

  it("stamps lastPhaseTransitionTime when a status update changes the phase", () => {
    const old = simulateCreate(persistentVolumeResource, pv(validPV)).obj;
    const later = t0 + 90_000;
    const at = "2026-01-01T00:01:30Z";
    const bound = simulateStatusUpdate(
      persistentVolumeResource,
      { ...old, status: { phase: "Bound" } },
      old,
      later,
    ).obj;
    assert.deepEqual(bound.status, { phase: "Bound", lastPhaseTransitionTime: at });
    // The client's copy of the old time counts as not set.
    const again = simulateStatusUpdate(
      persistentVolumeResource,
      { ...bound, status: { phase: "Released", lastPhaseTransitionTime: at } },
      bound,
      later + 60_000,
    ).obj;
    assert.equal(again.status?.lastPhaseTransitionTime, "2026-01-01T00:02:30Z");
    // Same phase: the time is kept, whether the client sent it or not.
    const same = simulateStatusUpdate(
      persistentVolumeResource,
      { ...bound, status: { phase: "Bound", message: "m" } },
      bound,
      later + 60_000,
    ).obj;
    assert.equal(same.status?.lastPhaseTransitionTime, at);
    // A time the client chose is honoured.
    const chosen = simulateStatusUpdate(
      persistentVolumeResource,
      { ...bound, status: { phase: "Failed", lastPhaseTransitionTime: "2026-01-01T05:00:00Z" } },
      bound,
      later,
    ).obj;
    assert.equal(chosen.status?.lastPhaseTransitionTime, "2026-01-01T05:00:00Z");
  });

  it("requires access modes, a storage capacity and exactly one source", () => {
    const { errors } = simulateCreate(
      persistentVolumeResource,
      pv({
        capacity: { storage: "0" },
        hostPath: { path: "/a" },
        nfs: { server: "s", path: "/x" },
      }),
    );
    assert.deepEqual(errors, [
      "spec.accessModes: Required value",
      'spec.capacity[storage]: Invalid value: "0": must be greater than zero',
      "spec.nfs: Forbidden: may not specify more than 1 volume type",
    ]);
    const { hostPath: _, ...noSource } = validPV;
    const none = simulateCreate(persistentVolumeResource, pv(noSource));
    assert.deepEqual(none.errors, ["spec: Required value: must specify a volume type"]);
  });

  it("requires node affinity for local volumes and rejects mixed RWOP", () => {
    const { errors } = simulateCreate(
      persistentVolumeResource,
      pv({
        accessModes: ["ReadWriteOncePod", "ReadOnlyMany"],
        capacity: { storage: "1Gi" },
        local: { path: "/mnt/../x" },
      }),
    );
    assert.deepEqual(errors, [
      "spec.accessModes: Forbidden: may not use ReadWriteOncePod with other access modes",
      "spec.local.path: Invalid value: \"/mnt/../x\": must not contain '..'",
      "spec.nodeAffinity: Required value: Local volume requires node affinity",
    ]);
  });

  it("keeps the volume source and mode immutable", () => {
    const old = simulateCreate(persistentVolumeResource, pv(validPV)).obj;
    const { errors } = simulateUpdate(
      persistentVolumeResource,
      pv({ ...validPV, hostPath: { path: "/other" }, volumeMode: "Block" }),
      old,
    );
    assert.equal(errors.length, 2);
    assert.match(
      errors[0] ?? "",
      /^spec\.persistentvolumesource: Forbidden: spec\.persistentvolumesource is immutable after creation\n/,
    );
    assert.equal(errors[1], 'volumeMode: Invalid value: "Block": field is immutable');
    const grown = simulateUpdate(
      persistentVolumeResource,
      pv({ ...validPV, capacity: { storage: "20Gi" } }),
      old,
    );
    assert.deepEqual(grown.errors, []);
  });

  it("prints capacity, modes, claim and class", () => {
    const { obj } = simulateCreate(
      persistentVolumeResource,
      pv({
        ...validPV,
        storageClassName: "fast",
        claimRef: { namespace: "default", name: "data" },
      }),
    );
    obj.status = { phase: "Bound" };
    assert.deepEqual(printRow(persistentVolumeResource, obj, t0 + 7_200_000), {
      Name: "pv1",
      Capacity: "10Gi",
      "Access Modes": "RWO",
      "Reclaim Policy": "Retain",
      Status: "Bound",
      Claim: "default/data",
      StorageClass: "fast",
      VolumeAttributesClass: "<unset>",
      Reason: "",
      Age: "120m",
      VolumeMode: "Filesystem",
    });
    assert.deepEqual(persistentVolumeResource.strategy.selectableFields?.(obj), { name: "pv1" });
  });
});

describe("PersistentVolumeClaim", () => {
  it("defaults the volume mode and phase", () => {
    const { obj, errors } = simulateCreate(persistentVolumeClaimResource, pvc(validPVC));
    assert.deepEqual(errors, []);
    assert.equal(obj.spec?.volumeMode, "Filesystem");
    assert.deepEqual(obj.status, { phase: "Pending" });
  });

  it("requires access modes and a storage request", () => {
    const { errors } = simulateCreate(
      persistentVolumeClaimResource,
      pvc({
        accessModes: ["ReadWriteMost" as "ReadWriteOnce"],
        selector: { matchExpressions: [{ key: "a", operator: "In" }] },
      }),
    );
    assert.deepEqual(errors, [
      "spec.selector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'",
      'spec.accessModes: Unsupported value: "ReadWriteMost": supported values: "ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"',
      "spec.resources[storage]: Required value",
    ]);
  });

  it("lets volumeName be set once and a bound claim grow", () => {
    const old = simulateCreate(persistentVolumeClaimResource, pvc(validPVC)).obj;
    const bind = simulateUpdate(
      persistentVolumeClaimResource,
      pvc({ ...validPVC, volumeName: "pv1" }),
      old,
    );
    assert.deepEqual(bind.errors, []);
    const bound = {
      ...bind.obj,
      status: { phase: "Bound" as const, capacity: { storage: "1Gi" } },
    };
    const grow = pvc({
      ...validPVC,
      volumeName: "pv1",
      resources: { requests: { storage: "2Gi" } },
    });
    assert.deepEqual(simulateUpdate(persistentVolumeClaimResource, grow, bound).errors, []);
    const shrink = pvc({
      ...validPVC,
      volumeName: "pv1",
      resources: { requests: { storage: "512Mi" } },
    });
    assert.deepEqual(simulateUpdate(persistentVolumeClaimResource, shrink, bound).errors, [
      "spec.resources.requests.storage: Forbidden: field can not be less than status.capacity",
    ]);
  });

  it("forbids other spec changes", () => {
    const old = simulateCreate(persistentVolumeClaimResource, pvc(validPVC)).obj;
    const { errors } = simulateUpdate(
      persistentVolumeClaimResource,
      pvc({ ...validPVC, resources: { requests: { storage: "2Gi" } } }),
      old,
    );
    assert.equal(errors.length, 1);
    assert.match(
      errors[0] ?? "",
      /^spec: Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims\n/,
    );
  });

  it("validates status capacity and prints a bound claim", () => {
    const old = simulateCreate(
      persistentVolumeClaimResource,
      pvc({ ...validPVC, volumeName: "pv1" }),
    ).obj;
    const status = {
      phase: "Bound" as const,
      capacity: { storage: "1Gi" },
      accessModes: ["ReadWriteOnce" as const],
    };
    assert.deepEqual(
      simulateStatusUpdate(persistentVolumeClaimResource, { ...old, status }, old).errors,
      [],
    );
    assert.deepEqual(printRow(persistentVolumeClaimResource, { ...old, status }, t0), {
      Name: "data",
      Status: "Bound",
      Volume: "pv1",
      Capacity: "1Gi",
      "Access Modes": "RWO",
      StorageClass: "local-path",
      VolumeAttributesClass: "<unset>",
      Age: "0s",
      VolumeMode: "Filesystem",
    });
    const pending = printRow(
      persistentVolumeClaimResource,
      simulateCreate(persistentVolumeClaimResource, pvc(validPVC)).obj,
      t0,
    );
    assert.deepEqual([pending.Status, pending.Volume, pending.Capacity], ["Pending", "", ""]);
  });
});
