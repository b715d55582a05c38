import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { clientURLOf, etcdArgs, etcdLayout, newMemberName, peerURLOf } from "./etcd-member.ts";
import { etcdPKIPaths } from "./etcd-pki.ts";
import { parseEtcdLine } from "./etcd-supervisor.ts";

describe("managed etcd member", () => {
  const layout = etcdLayout("/var/lib/bosun");
  const tls = etcdPKIPaths("/var/lib/bosun");

  it("keeps its files under <data-dir>/server/etcd and tls/etcd", () => {
    assert.equal(layout.dataDir, "/var/lib/bosun/server/etcd/data");
    assert.equal(layout.logFile, "/var/lib/bosun/server/etcd/etcd.log");
    assert.equal(tls.caCert, "/var/lib/bosun/server/tls/etcd/ca.crt");
    assert.match(newMemberName(), /^[a-z0-9-]+-[0-9a-f]{8}$/);
  });

  it("runs etcd with TLS and client-certificate auth on both ports", () => {
    const address = { advertiseAddress: "10.0.0.2", clientPort: 2379, peerPort: 2380 };
    assert.equal(clientURLOf(address), "https://10.0.0.2:2379");
    assert.equal(peerURLOf({ ...address, advertiseAddress: "fd00::2" }), "https://[fd00::2]:2380");
    const args = etcdArgs({
      name: "m2",
      address,
      layout,
      tls,
      initialCluster: "m1=https://10.0.0.1:2380,m2=https://10.0.0.2:2380",
      initialClusterState: "existing",
    });
    for (const expected of [
      "--name=m2",
      "--data-dir=/var/lib/bosun/server/etcd/data",
      // the API server on this host dials loopback
      "--listen-client-urls=https://10.0.0.2:2379,https://127.0.0.1:2379",
      "--advertise-client-urls=https://10.0.0.2:2379",
      "--listen-peer-urls=https://10.0.0.2:2380",
      "--initial-cluster=m1=https://10.0.0.1:2380,m2=https://10.0.0.2:2380",
      "--initial-cluster-state=existing",
      "--client-cert-auth=true",
      "--peer-client-cert-auth=true",
      "--trusted-ca-file=/var/lib/bosun/server/tls/etcd/ca.crt",
      "--peer-trusted-ca-file=/var/lib/bosun/server/tls/etcd/ca.crt",
      "--logger=zap",
    ]) {
      assert.ok(args.includes(expected), expected);
    }
    const loopback = etcdArgs({
      name: "m1",
      address: { ...address, advertiseAddress: "127.0.0.1" },
      layout,
      tls,
      initialCluster: "m1=https://127.0.0.1:2380",
      initialClusterState: "new",
    });
    assert.ok(loopback.includes("--listen-client-urls=https://127.0.0.1:2379"));
  });

  it("reads etcd's zap lines for our log", () => {
    assert.deepEqual(
      parseEtcdLine(
        '{"level":"warn","ts":"2026-01-01T00:00:00Z","caller":"rafthttp/probing.go:145","msg":"prober detected unhealthy status","error":"dial tcp: connection refused"}',
      ),
      { level: "warn", msg: "prober detected unhealthy status: dial tcp: connection refused" },
    );
    assert.deepEqual(parseEtcdLine("plain text"), { level: "info", msg: "plain text" });
    assert.deepEqual(parseEtcdLine("{not json"), { level: "info", msg: "{not json" });
  });
});
