import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { requestAttributes } from "./request-attributes.ts";

const sub = (method: string, path: string) =>
  requestAttributes(method, path, "n1").map((a) => `${a.verb} nodes/${a.subresource} ${a.name}`);

describe("kubelet request attributes", () => {
  it("maps paths to node subresources as upstream's auth filter does", () => {
    assert.deepEqual(sub("GET", "/stats/summary"), ["get nodes/stats n1"]);
    assert.deepEqual(sub("GET", "/metrics/cadvisor"), ["get nodes/metrics n1"]);
    assert.deepEqual(sub("GET", "/logs/syslog"), ["get nodes/log n1"]);
    assert.deepEqual(sub("POST", "/checkpoint/ns/p/c"), ["create nodes/checkpoint n1"]);
    assert.deepEqual(sub("GET", "/containerLogs/ns/p/c"), ["get nodes/proxy n1"]);
    assert.deepEqual(sub("POST", "/exec/ns/p/c"), ["create nodes/proxy n1"]);
    assert.deepEqual(sub("GET", "/exec/ns/p/c"), ["get nodes/proxy n1"]);
    assert.deepEqual(sub("GET", "/statsx"), ["get nodes/proxy n1"]);
  });

  it("asks for fine-grained subresources first, then nodes/proxy", () => {
    assert.deepEqual(sub("GET", "/pods"), ["get nodes/pods n1", "get nodes/proxy n1"]);
    assert.deepEqual(sub("GET", "/healthz"), ["get nodes/healthz n1", "get nodes/proxy n1"]);
    assert.deepEqual(sub("GET", "/configz"), ["get nodes/configz n1", "get nodes/proxy n1"]);
  });
});
