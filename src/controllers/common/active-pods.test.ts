import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { compareActivePods, podDeletionCostAnnotation, type RankedPod } from "./active-pods.ts";
import type { Pod } from "./objects.ts";

const now = Date.UTC(2026, 0, 1, 12);
const ago = (s: number) => new Date(now - s * 1000).toISOString().replace(/\.\d+Z$/, "Z");

function pod(
  name: string,
  opts: Partial<{
    node: string;
    phase: "Pending" | "Running" | "Unknown";
    readyFor: number;
    age: number;
    restarts: number;
    cost: string;
  }> = {},
): Pod {
  return {
    metadata: {
      name,
      uid: name,
      creationTimestamp: ago(opts.age ?? 1000),
      ...(opts.cost ? { annotations: { [podDeletionCostAnnotation]: opts.cost } } : {}),
    },
    spec: { containers: [], ...(opts.node ? { nodeName: opts.node } : {}) },
    status: {
      phase: opts.phase ?? "Running",
      conditions:
        opts.readyFor === undefined
          ? []
          : [{ type: "Ready", status: "True", lastTransitionTime: ago(opts.readyFor) }],
      containerStatuses: [
        { name: "c", image: "", imageID: "", ready: true, restartCount: opts.restarts ?? 0 },
      ],
    },
  } as Pod;
}

/** Names in deletion order. */
function order(...pods: Array<Pod | [Pod, number]>): string[] {
  const ranked: RankedPod<Pod>[] = pods.map((p) =>
    Array.isArray(p) ? { pod: p[0], rank: p[1] } : { pod: p, rank: 0 },
  );
  return ranked.sort(compareActivePods(now)).map((r) => r.pod.metadata?.name ?? "");
}

describe("active pods ranking", () => {
  it("deletes unassigned before assigned", () => {
    assert.deepEqual(order(pod("a", { node: "n1" }), pod("b")), ["b", "a"]);
  });

  it("deletes Pending before Unknown before Running", () => {
    const p = (name: string, phase: "Pending" | "Running" | "Unknown") =>
      pod(name, { node: "n", phase });
    assert.deepEqual(order(p("r", "Running"), p("u", "Unknown"), p("p", "Pending")), [
      "p",
      "u",
      "r",
    ]);
  });

  it("deletes not-ready before ready", () => {
    assert.deepEqual(order(pod("ready", { node: "n", readyFor: 10 }), pod("not", { node: "n" })), [
      "not",
      "ready",
    ]);
  });

  it("deletes lower pod-deletion-cost first", () => {
    const a = pod("a", { node: "n", cost: "100" });
    const b = pod("b", { node: "n", cost: "-5" });
    assert.deepEqual(order(a, b), ["b", "a"]);
  });

  it("deletes doubled-up pods (higher rank) first", () => {
    assert.deepEqual(order([pod("a", { node: "n" }), 1], [pod("b", { node: "n" }), 3]), ["b", "a"]);
  });

  it("deletes the more recently ready pod first, on a log scale", () => {
    const young = pod("young", { node: "n", readyFor: 5 });
    const old = pod("old", { node: "n", readyFor: 5000 });
    assert.deepEqual(order(old, young), ["young", "old"]);
    // Similar ages fall in one log2 bucket and tie on uid.
    const x = pod("x", { node: "n", readyFor: 1000 });
    const y = pod("y", { node: "n", readyFor: 1001 });
    assert.deepEqual(order(y, x), ["x", "y"]);
  });

  it("deletes pods with more restarts first", () => {
    const a = pod("a", { node: "n", restarts: 0 });
    const b = pod("b", { node: "n", restarts: 4 });
    assert.deepEqual(order(a, b), ["b", "a"]);
  });

  it("deletes newer pods before older ones", () => {
    assert.deepEqual(
      order(pod("old", { node: "n", age: 100_000 }), pod("new", { node: "n", age: 10 })),
      ["new", "old"],
    );
  });
});
