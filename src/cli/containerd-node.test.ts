/** Node flags on `bosun server` and `bosun agent`, and where a node keeps its parts. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { UsageError } from "./command.ts";
import { containerdNodeSettings, nodeDirs } from "./containerd-node.ts";
import { parseServerFlags } from "./server.ts";

describe("node flags", () => {
  it("parses the server's node flags with their defaults", () => {
    const flags = parseServerFlags([
      "--node-name",
      "n1",
      "--registry-mirror",
      "http://127.0.0.1:5000",
      "--registry-mirror",
      "quay.io=http://10.0.0.5:5000",
    ]);
    assert.equal(flags.node.name, "n1");
    const s = containerdNodeSettings(flags.node.values, {
      dataDir: "d",
      nodeName: "n1",
      nodeIP: "10.0.0.1",
    });
    assert.deepEqual(s.registryMirrors, ["http://127.0.0.1:5000", "quay.io=http://10.0.0.5:5000"]);
    assert.deepEqual(s.clusterDNS, ["10.96.0.10"]);
    assert.equal(s.clusterDomain, "cluster.local");
    assert.equal(s.maxPods, 110);
    assert.equal(s.endpoint, undefined);
    assert.ok(s.dataDir.startsWith("/"), "absolute");
  });

  it("takes an existing runtime endpoint and rejects a bad pod count", () => {
    const s = containerdNodeSettings(
      { "container-runtime-endpoint": "unix:///run/containerd/containerd.sock" },
      { dataDir: "/d", nodeName: "n", nodeIP: "1.2.3.4" },
    );
    assert.equal(s.endpoint, "/run/containerd/containerd.sock");
    assert.throws(
      () =>
        containerdNodeSettings(
          { "max-pods": "0" },
          { dataDir: "/d", nodeName: "n", nodeIP: "1.2.3.4" },
        ),
      UsageError,
    );
  });

  it("keeps containerd's socket short and per data dir", () => {
    const a = nodeDirs("/var/lib/bosun");
    const b = nodeDirs("/tmp/other");
    assert.notEqual(a.socket, b.socket);
    assert.ok(a.socket.length < 108, "a unix socket path must fit sun_path");
    assert.equal(a.kubelet, "/var/lib/bosun/agent/kubelet");
  });
});
