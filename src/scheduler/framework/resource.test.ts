import assert from "node:assert/strict";
import { test } from "node:test";
import type { Pod } from "../../api/generated/types.ts";
import { podRequests } from "./resource.ts";

const c = (name: string, requests?: Record<string, string>, restartPolicy?: string) => ({
  name,
  ...(requests ? { resources: { requests } } : {}),
  ...(restartPolicy ? { restartPolicy } : {}),
});

test("app containers add up; init containers take the max", () => {
  const pod: Pod = {
    spec: {
      initContainers: [c("i1", { cpu: "2", memory: "1G" }), c("i2", { cpu: "2", memory: "3G" })],
      containers: [c("a", { cpu: "2", memory: "1G" }), c("b", { cpu: "1", memory: "1G" })],
    },
  };
  const r = podRequests(pod);
  assert.equal(r.milliCPU, 3000);
  assert.equal(r.memory, 3e9);
});

test("sidecars (restartable init containers) stay for the pod's lifetime", () => {
  const pod: Pod = {
    spec: {
      initContainers: [c("sidecar", { cpu: "500m" }, "Always"), c("init", { cpu: "2" })],
      containers: [c("a", { cpu: "1" })],
    },
  };
  // max(1 + 0.5 (app + sidecar), 2 + 0.5 (init while sidecar runs)) = 2.5
  assert.equal(podRequests(pod).milliCPU, 2500);
});

test("overhead is added; pod-level requests replace cpu and memory", () => {
  const pod: Pod = {
    spec: {
      containers: [c("a", { cpu: "1", memory: "1Gi", "example.com/gpu": "2" })],
      overhead: { cpu: "250m" },
      resources: { requests: { memory: "2Gi" } },
    },
  };
  const r = podRequests(pod);
  assert.equal(r.milliCPU, 1250);
  assert.equal(r.memory, 2 * 1024 ** 3);
  assert.equal(r.scalar?.get("example.com/gpu"), 2);
});

test("non-zero requests default cpu to 100m and memory to 200Mi per container", () => {
  const pod: Pod = { spec: { containers: [c("a"), c("b", { cpu: "0" })] } };
  const r = podRequests(pod, true);
  assert.equal(r.milliCPU, 100);
  assert.equal(r.memory, 2 * 200 * 1024 * 1024);
  assert.equal(podRequests(pod).milliCPU, 0);
});
