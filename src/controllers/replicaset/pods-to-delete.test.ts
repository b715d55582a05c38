import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Pod } from "../common/objects.ts";
import { getPodsRankedByRelatedPodsOnSameNode, getPodsToDelete } from "./pods-to-delete.ts";

const now = Date.UTC(2026, 0, 1);
const pod = (
  name: string,
  node: string,
  ready = true,
  phase: "Running" | "Succeeded" = "Running",
): Pod => ({
  metadata: { name, uid: name, creationTimestamp: "2025-12-31T00:00:00Z" },
  spec: { containers: [], nodeName: node },
  status: {
    phase,
    conditions: ready
      ? [{ type: "Ready", status: "True", lastTransitionTime: "2025-12-31T00:00:00Z" }]
      : [],
  },
});

describe("getPodsToDelete", () => {
  it("returns every pod, unsorted, when deleting them all", () => {
    const pods = [pod("a", "n1"), pod("b", "n2")];
    assert.deepEqual(getPodsToDelete(pods, [], 2, now), pods);
  });

  it("prefers not-ready pods", () => {
    const pods = [pod("a", "n1"), pod("b", "n1", false), pod("c", "n1")];
    assert.deepEqual(
      getPodsToDelete(pods, pods, 1, now).map((p) => p.metadata?.name),
      ["b"],
    );
  });

  it("prefers pods on nodes crowded with related active pods", () => {
    const mine = [pod("a", "n1"), pod("b", "n2")];
    const related = [
      ...mine,
      pod("other-1", "n2"),
      pod("other-2", "n2"),
      pod("done", "n1", true, "Succeeded"),
    ];
    const ranked = getPodsRankedByRelatedPodsOnSameNode(mine, related);
    assert.deepEqual(
      ranked.map((r) => r.rank),
      [1, 3],
    );
    assert.deepEqual(
      getPodsToDelete(mine, related, 1, now).map((p) => p.metadata?.name),
      ["b"],
    );
  });
});
