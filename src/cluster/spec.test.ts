import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  clusterNameProblem,
  clusterSpec,
  hostServerURL,
  masterOf,
  mastersOf,
  nodeNames,
  serverURL,
} from "./spec.ts";

const request = {
  name: "dev",
  masters: 1,
  workers: 2,
  runtime: "simulated" as const,
  index: 3,
  baseDir: "/var/lib/bosun/clusters",
  bosun: ["/usr/bin/node", "/opt/bosun/bin/bosun.js"],
  now: new Date("2026-01-01T00:00:00Z"),
};

describe("cluster layout", () => {
  it("names masters first, then workers", () => {
    assert.deepEqual(nodeNames("dev", 1, 2), ["dev-master1", "dev-worker1", "dev-worker2"]);
  });

  it("puts every node on the cluster's LAN with its own netns, port and directory", () => {
    const spec = clusterSpec(request);
    assert.deepEqual(spec.lan, {
      netns: "bosun-dev-lan",
      bridge: "br0",
      hostLink: "bosun-lan3",
      subnet: "172.31.3.0/24",
      prefixLength: 24,
      hostIP: "172.31.3.1",
    });
    assert.deepEqual(spec.nodes[2], {
      name: "dev-worker2",
      role: "worker",
      index: 3,
      ip: "172.31.3.13",
      netns: "bosun-dev-worker2",
      lanLink: "n3",
      dir: "/var/lib/bosun/clusters/dev/nodes/dev-worker2",
    });
    assert.equal(masterOf(spec).name, "dev-master1");
    assert.equal(serverURL(spec), "https://172.31.3.11:6443");
    assert.equal(spec.dir, "/var/lib/bosun/clusters/dev");
  });

  it("points the host at the load balancer only with several masters", () => {
    assert.equal(
      hostServerURL(clusterSpec({ ...request, apiBalancerPort: 40000 })),
      "https://172.31.3.11:6443",
    );
    const ha = clusterSpec({ ...request, masters: 3, apiBalancerPort: 40000 });
    assert.equal(hostServerURL(ha), "https://127.0.0.1:40000");
    assert.deepEqual(
      mastersOf(ha).map((m) => m.ip),
      ["172.31.3.11", "172.31.3.12", "172.31.3.13"],
    );
  });

  it("keeps the host link name within the kernel's 15 characters", () => {
    assert.ok(clusterSpec({ ...request, index: 255 }).lan.hostLink.length <= 15);
  });

  it("accepts DNS labels up to 32 characters as cluster names", () => {
    assert.equal(clusterNameProblem("dev-1"), undefined);
    assert.match(clusterNameProblem("Dev")!, /lower case alphanumeric/);
    assert.match(clusterNameProblem("-x")!, /start and end/);
    assert.match(clusterNameProblem("a".repeat(33))!, /longer than 32/);
  });
});
