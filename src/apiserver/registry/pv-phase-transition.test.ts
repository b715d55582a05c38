/**
 * The registry runs a kind's status preparation on status updates with the server's clock: a
 * PersistentVolume's lastPhaseTransitionTime is stamped at create and on every phase change.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { PersistentVolume } from "../../api/generated/types.ts";
import { resourcePath, resources } from "../../client/resources.ts";
import { startTestApi, type TestApi } from "../../client/testing/test-api.ts";
import { FakeClock } from "../../machinery/clock.ts";

describe("PersistentVolume phase transitions through the API", () => {
  const clock = new FakeClock(Date.parse("2026-03-01T10:00:00Z"));
  let api: TestApi;
  before(async () => {
    api = await startTestApi({ clock });
  });
  after(() => api.stop());

  it("stamps lastPhaseTransitionTime at create and when the phase changes", async () => {
    const path = resourcePath(resources.persistentvolumes, "", "pv-phase");
    const created = await api.client.create<PersistentVolume>(
      resourcePath(resources.persistentvolumes, ""),
      {
        apiVersion: "v1",
        kind: "PersistentVolume",
        metadata: { name: "pv-phase" },
        spec: {
          capacity: { storage: "1Gi" },
          accessModes: ["ReadWriteOnce"],
          hostPath: { path: "/tmp/pv-phase" },
        },
      },
    );
    assert.deepEqual(created.status, {
      phase: "Pending",
      lastPhaseTransitionTime: "2026-03-01T10:00:00Z",
    });
    clock.advance(65_000);
    const available = await api.client.patch<PersistentVolume>(`${path}/status`, "merge", {
      status: { phase: "Available" },
    });
    assert.equal(available.status?.lastPhaseTransitionTime, "2026-03-01T10:01:05Z");
    clock.advance(10_000);
    const same = await api.client.patch<PersistentVolume>(`${path}/status`, "merge", {
      status: { message: "still available" },
    });
    assert.equal(same.status?.lastPhaseTransitionTime, "2026-03-01T10:01:05Z");
  });
});
