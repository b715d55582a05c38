/** QoS classes, cgroup parents and CRI resources as upstream computes them. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Container } from "../../api/generated/types.ts";
import { containerLinuxResources, oomScoreAdj, podCgroupParent, podQOSClass } from "./resources.ts";
import { testPod } from "./testing.ts";

const withResources = (resources: Container["resources"]) =>
  testPod({ containers: [{ name: "app", image: "x", ...(resources ? { resources } : {}) }] });

describe("resources", () => {
  it("classifies pods and places their cgroups", () => {
    const best = withResources(undefined);
    const burst = withResources({ requests: { memory: "64Mi" } });
    const guar = withResources({
      requests: { cpu: "1", memory: "1Gi" },
      limits: { cpu: "1", memory: "1Gi" },
    });
    assert.deepEqual(
      [podQOSClass(best), podQOSClass(burst), podQOSClass(guar)],
      ["BestEffort", "Burstable", "Guaranteed"],
    );
    assert.equal(podCgroupParent(best), `/kubepods/besteffort/pod${best.metadata?.uid}`);
    assert.equal(podCgroupParent(burst), `/kubepods/burstable/pod${burst.metadata?.uid}`);
    assert.equal(podCgroupParent(guar), `/kubepods/pod${guar.metadata?.uid}`);
  });

  it("turns requests and limits into shares, quota, memory limit and OOM score", () => {
    const pod = withResources({
      requests: { cpu: "250m", memory: "1Gi" },
      limits: { cpu: "500m", memory: "2Gi" },
    });
    const c = pod.spec!.containers[0]!;
    assert.deepEqual(containerLinuxResources(pod, c, 4 * 2 ** 30), {
      cpu_shares: "256",
      cpu_period: "100000",
      cpu_quota: "50000",
      memory_limit_in_bytes: String(2 * 2 ** 30),
      oom_score_adj: "750",
    });
    const best = withResources(undefined);
    assert.equal(containerLinuxResources(best, best.spec!.containers[0]!, 1).cpu_shares, "2");
    assert.equal(oomScoreAdj(best, best.spec!.containers[0]!, 1), 1000);
  });
});
