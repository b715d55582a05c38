/**
 * The node's containerd set-up as text and facts: the generated config (private paths, mirrors
 * through config_path, no legacy mirrors table), the CNI conflist for a pod CIDR, capability
 * parsing, containerd log lines, and the supervisor against a stand-in binary (start, restart
 * after a crash, stop).
 */
import assert from "node:assert/strict";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { silentLogger } from "../../machinery/log.ts";
import { gatewayOf, podNetworkConflist } from "./cni-config.ts";
import { containerdConfig } from "./config.ts";
import { hasCapSysResource } from "./host.ts";
import { ContainerdSupervisor, parseContainerdLine } from "./supervisor.ts";

const dir = mkdtempSync(join(tmpdir(), "bosun-containerd-test-"));
after(() => rmSync(dir, { recursive: true, force: true }));

describe("containerd set-up", () => {
  it("generates a private config with the CRI settings the node needs", () => {
    const text = containerdConfig({
      root: "/d/root",
      state: "/run/bosun/x/state",
      socket: "/run/bosun/x/containerd.sock",
      optDir: "/d/opt",
      runcRoot: "/run/bosun/x/runc",
      cniBinDir: "/usr/lib/cni",
      cniConfDir: "/d/net.d",
      certsDir: "/d/certs.d",
      sandboxImage: "registry.k8s.io/pause:3.10.1",
      restrictOomScoreAdj: true,
    });
    for (const line of [
      'root = "/d/root"',
      'address = "/run/bosun/x/containerd.sock"',
      'sandbox_image = "registry.k8s.io/pause:3.10.1"',
      "restrict_oom_score_adj = true",
      "netns_mounts_under_state_dir = true",
      'Root = "/run/bosun/x/runc"',
      "SystemdCgroup = false",
      'conf_dir = "/d/net.d"',
      'config_path = "/d/certs.d"',
    ]) {
      assert.ok(text.includes(line), line);
    }
    assert.equal(
      /registry\.mirrors/.test(text),
      false,
      "the legacy mirrors table cannot go with config_path",
    );
  });

  it("writes a bridge + host-local + portmap conflist for the pod CIDR", () => {
    const conf = JSON.parse(
      podNetworkConflist({ podCIDR: "10.244.3.0/24", ipamDataDir: "/d/ipam" }),
    );
    assert.deepEqual(
      conf.plugins.map((p: { type: string }) => p.type),
      ["bridge", "portmap"],
    );
    assert.deepEqual(conf.plugins[0].ipam.ranges, [
      [{ subnet: "10.244.3.0/24", gateway: "10.244.3.1" }],
    ]);
    assert.equal(conf.plugins[0].ipam.dataDir, "/d/ipam");
    assert.equal(conf.plugins[0].hairpinMode, true);
    assert.equal(gatewayOf("10.244.0.0/24"), "10.244.0.1");
    assert.throws(() => gatewayOf("fd00::/64"), /not an IPv4 CIDR/);
  });

  it("reads CAP_SYS_RESOURCE from CapEff", () => {
    assert.equal(hasCapSysResource("CapEff:\t000001ffffffffff\n"), true);
    assert.equal(hasCapSysResource("CapEff:\t000001fffeffffff\n"), false);
  });

  it("parses containerd's log lines", () => {
    assert.deepEqual(
      parseContainerdLine(
        'time="2026-01-01T00:00:00Z" level=warning msg="failed to load \\"x\\"" error="y"',
      ),
      { level: "warning", msg: 'failed to load "x"' },
    );
    assert.deepEqual(parseContainerdLine("plain text"), { level: "info", msg: "plain text" });
  });
});

describe("ContainerdSupervisor", () => {
  it("starts, restarts after a crash, and stops", async (t) => {
    const fake = join(dir, "fake-containerd");
    const marker = join(dir, "ready");
    // Becomes "ready" at once; exits 1 when a file says so (a crash), else waits for SIGTERM.
    writeFileSync(
      fake,
      `#!/bin/sh\necho 'level=info msg="starting"'\ntouch ${marker}\ntrap 'rm -f ${marker}; exit 0' TERM\nwhile :; do if [ -e ${dir}/crash ]; then rm -f ${dir}/crash ${marker}; echo 'level=error msg="boom"'; exit 1; fi; sleep 0.05; done\n`,
    );
    chmodSync(fake, 0o755);
    let restarts = 0;
    /** Whether a containerd was up each time the supervisor prepared a start. */
    const prepared: boolean[] = [];
    const supervisor = new ContainerdSupervisor({
      binary: fake,
      configPath: join(dir, "config.toml"),
      pidFile: join(dir, "pid"),
      logFile: join(dir, "containerd.log"),
      log: silentLogger,
      ready: async () => existsSync(marker),
      onRestart: () => restarts++,
      beforeStart: async () => {
        prepared.push(existsSync(marker));
      },
    });
    t.after(() => supervisor.stop());
    await supervisor.start();
    const first = supervisor.pid;
    assert.ok(first);
    assert.equal(readFileSync(join(dir, "pid"), "utf8").trim(), String(first));
    writeFileSync(join(dir, "crash"), "");
    const deadline = Date.now() + 10_000;
    while (restarts === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.equal(restarts, 1);
    assert.notEqual(supervisor.pid, first);
    assert.deepEqual(
      prepared,
      [false, false],
      "prepared before the start and the restart, not while up",
    );
    await supervisor.stop();
    assert.equal(existsSync(join(dir, "pid")), false);
    assert.match(readFileSync(join(dir, "containerd.log"), "utf8"), /boom/);
  });
});
