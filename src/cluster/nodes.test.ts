import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { findNode, formatNodeRows } from "./nodes.ts";
import { clusterSpec } from "./spec.ts";

const cluster = {
  ...clusterSpec({
    name: "dev",
    masters: 1,
    workers: 1,
    runtime: "simulated",
    index: 0,
    baseDir: "/tmp/c",
    bosun: [],
    now: new Date(0),
  }),
  cgroups: { dirs: [] },
};

describe("cluster nodes", () => {
  it("finds a node by its name or its name within the cluster", () => {
    assert.equal(findNode(cluster, "dev-worker1").name, "dev-worker1");
    assert.equal(findNode(cluster, "worker1").name, "dev-worker1");
    assert.throws(
      () => findNode(cluster, "worker9"),
      /cluster "dev" has no node "worker9" \(its nodes: dev-master1, dev-worker1\)/,
    );
  });

  it("lists nodes as a table", () => {
    assert.equal(
      formatNodeRows([
        {
          cluster: "dev",
          name: "dev-master1",
          role: "master",
          ip: "172.31.0.11",
          state: "running",
        },
        {
          cluster: "dev",
          name: "dev-worker1",
          role: "worker",
          ip: "172.31.0.12",
          state: "running,frozen",
        },
      ]),
      [
        "CLUSTER   NODE          ROLE     ADDRESS       STATE",
        "dev       dev-master1   master   172.31.0.11   running",
        "dev       dev-worker1   worker   172.31.0.12   running,frozen",
      ].join("\n"),
    );
  });
});
