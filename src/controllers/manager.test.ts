import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { allControllers } from "./all.ts";
import { eventSource } from "./manager.ts";

describe("controller manager", () => {
  it("records events under upstream's component names", () => {
    const sources = new Map(allControllers.map((f) => [f.name, eventSource(f)]));
    const expected: Record<string, string> = {
      deployment: "deployment-controller",
      replicaset: "replicaset-controller",
      replicationcontroller: "replication-controller",
      statefulset: "statefulset-controller",
      daemonset: "daemonset-controller",
      "job-controller": "job-controller",
      "cronjob-controller": "cronjob-controller",
      "node-lifecycle-controller": "node-controller",
      "taint-eviction-controller": "taint-eviction-controller",
      "endpoints-controller": "endpoint-controller",
      "endpointslice-controller": "endpoint-slice-controller",
      "node-ipam-controller": "cidrAllocator",
    };
    for (const [name, source] of Object.entries(expected)) {
      assert.equal(sources.get(name), source, name);
    }
  });
});
