import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type HostFacts, preflightProblem } from "./preflight.ts";

const good: HostFacts = {
  platform: "linux",
  uid: 0,
  hasNamespace: () => true,
  findTool: (t) => `/usr/bin/${t}`,
  cgroups: { dirs: ["/sys/fs/cgroup/freezer/bosun/x"], freezer: { dir: "/x", version: 1 } },
};

describe("preflight", () => {
  it("accepts a Linux host with root, namespaces, a freezer and the tools", () => {
    assert.equal(preflightProblem(good, "containerd"), undefined);
  });

  it("says what is missing in one line", () => {
    assert.match(preflightProblem({ ...good, platform: "darwin" }, "simulated")!, /need Linux/);
    assert.match(preflightProblem({ ...good, uid: 1000 }, "simulated")!, /need root/);
    assert.match(
      preflightProblem({ ...good, hasNamespace: (k) => k !== "pid" }, "simulated")!,
      /no pid namespaces \(CONFIG_PID_NS\)/,
    );
    assert.match(
      preflightProblem({ ...good, cgroups: { dirs: ["/x"] } }, "simulated")!,
      /CONFIG_CGROUP_FREEZER/,
    );
  });

  it("names the Debian packages of missing tools", () => {
    const without = (...missing: string[]) => ({
      ...good,
      findTool: (t: string) => (missing.includes(t) ? undefined : `/usr/bin/${t}`),
    });
    assert.equal(
      preflightProblem(without("nsenter", "unshare", "ip"), "simulated"),
      "missing ip, nsenter, unshare: install the Debian packages iproute2 util-linux (apt-get install iproute2 util-linux)",
    );
    assert.equal(preflightProblem(without("nft"), "simulated"), undefined);
    assert.match(preflightProblem(without("nft"), "containerd")!, /package nftables/);
  });
});
