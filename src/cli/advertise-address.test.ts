import assert from "node:assert/strict";
import type { networkInterfaces } from "node:os";
import { test } from "node:test";
import { chooseAdvertiseAddress } from "./advertise-address.ts";

const host = {
  lo: [{ family: "IPv4", internal: true, address: "127.0.0.1" }],
  eth0: [{ family: "IPv4", internal: false, address: "192.168.1.5" }],
} as unknown as ReturnType<typeof networkInterfaces>;

test("a wildcard bind advertises the host's first non-loopback address", () => {
  assert.deepEqual(chooseAdvertiseAddress({ bindAddress: "0.0.0.0", port: 6443 }, host), {
    address: "192.168.1.5",
  });
});

test("a specific bind address is advertised; --advertise-address wins", () => {
  assert.equal(
    chooseAdvertiseAddress({ bindAddress: "10.0.0.7", port: 6443 }, host).address,
    "10.0.0.7",
  );
  assert.deepEqual(
    chooseAdvertiseAddress(
      { bindAddress: "0.0.0.0", advertiseAddress: "10.1.1.1", port: 6443 },
      host,
    ),
    { address: "10.1.1.1" },
  );
});

test("a loopback bind advertises the host address and says pods will be refused", () => {
  const choice = chooseAdvertiseAddress({ bindAddress: "127.0.0.1", port: 6443 }, host);
  assert.equal(choice.address, "192.168.1.5");
  assert.match(choice.warning ?? "", /listens on 127.0.0.1 only.*192\.168\.1\.5:6443.*refused/);
});

test("no host address at all: loopback, with a warning", () => {
  const choice = chooseAdvertiseAddress({ bindAddress: "0.0.0.0", port: 6443 }, {
    lo: host.lo,
  } as ReturnType<typeof networkInterfaces>);
  assert.equal(choice.address, "127.0.0.1");
  assert.match(choice.warning ?? "", /no endpoints/);
});
