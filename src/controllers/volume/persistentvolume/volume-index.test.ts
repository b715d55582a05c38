import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { PersistentVolume } from "../common/volume-util.ts";
import { pv, pvc } from "../testing.ts";
import { findBestMatchForClaim } from "./volume-index.ts";

const available = (v: PersistentVolume): PersistentVolume => ({
  ...v,
  status: { phase: "Available" },
});
const claim = pvc("c", { storageClassName: "" }, { uid: "uid-c" });
const best = (volumes: PersistentVolume[], delay = false) =>
  findBestMatchForClaim(claim, volumes, delay)?.metadata?.name;

describe("findBestMatchForClaim", () => {
  it("prefers the smallest volume in the access-mode set with the fewest modes", () => {
    const volumes = [
      available(
        pv("rwo-rwx-small", {
          accessModes: ["ReadWriteOnce", "ReadWriteMany"],
          capacity: { storage: "1Gi" },
        }),
      ),
      available(pv("rwo-big", { capacity: { storage: "5Gi" } })),
      available(pv("rwo-mid", { capacity: { storage: "2Gi" } })),
      available(pv("rox", { accessModes: ["ReadOnlyMany"] })),
    ];
    assert.equal(best(volumes), "rwo-mid");
    assert.equal(best(volumes.filter((v) => !v.metadata?.name?.startsWith("rwo-"))), undefined);
    assert.equal(
      best(volumes.filter((v) => v.metadata?.name !== "rwo-mid" && v.metadata?.name !== "rwo-big")),
      "rwo-rwx-small",
    );
  });

  it("skips volumes that are too small, of another class, mode or attributes class, or going", () => {
    const skipped = [
      available(pv("small", { capacity: { storage: "512Mi" } })),
      available(pv("classy", { storageClassName: "fast" })),
      available(pv("block", { volumeMode: "Block" })),
      available(pv("vac", { volumeAttributesClassName: "gold" })),
      {
        ...available(pv("going")),
        metadata: { name: "going", deletionTimestamp: "2026-01-01T00:00:00Z" },
      },
      pv("pending"),
      available(pv("taken", { claimRef: { namespace: "default", name: "other" } })),
    ];
    assert.equal(best(skipped), undefined);
  });

  it("returns a volume pre-bound to the claim even with WaitForFirstConsumer, nothing else", () => {
    const free = available(pv("free"));
    const mine = pv("mine", { claimRef: { namespace: "default", name: "c", uid: "uid-c" } });
    const stale = pv("stale", { claimRef: { namespace: "default", name: "c", uid: "old" } });
    assert.equal(best([free, stale, mine], true), "mine");
    assert.equal(best([free, stale], true), undefined);
    assert.equal(best([free, stale], false), "free");
  });
});
