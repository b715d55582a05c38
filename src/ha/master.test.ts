import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { silentLogger } from "../machinery/log.ts";
import { memberAddress } from "./master.ts";

describe("a master's etcd member address", () => {
  const record = {
    name: "m1",
    peerURL: "https://10.0.0.1:12380",
    clientURL: "https://10.0.0.1:12379",
    clusterClientURLs: [],
  };
  const flags = {
    advertiseAddress: "10.0.0.9",
    etcdClientPort: undefined,
    etcdPeerPort: undefined,
    log: silentLogger,
  };

  it("uses the flags, else the defaults, for a new member", () => {
    assert.deepEqual(memberAddress(flags, undefined), {
      advertiseAddress: "10.0.0.9",
      clientPort: 2379,
      peerPort: 2380,
    });
    assert.deepEqual(memberAddress({ ...flags, etcdClientPort: 1, etcdPeerPort: 2 }, undefined), {
      advertiseAddress: "10.0.0.9",
      clientPort: 1,
      peerPort: 2,
    });
  });

  it("keeps a restarted member's recorded address and ports unless flags say otherwise", () => {
    assert.deepEqual(memberAddress(flags, record), {
      advertiseAddress: "10.0.0.1",
      clientPort: 12379,
      peerPort: 12380,
    });
    assert.equal(memberAddress({ ...flags, etcdPeerPort: 2380 }, record).peerPort, 2380);
    assert.equal(
      memberAddress(flags, { ...record, peerURL: "https://[fd00::1]:2380" }).advertiseAddress,
      "fd00::1",
    );
  });
});
