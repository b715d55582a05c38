import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { describe, it } from "node:test";
import { launcherCommand, launcherWords, nodeInitScript, runsAgent } from "./node-init.ts";
import { clusterSpec } from "./spec.ts";

const spec = (runtime: "simulated" | "containerd", images?: string) =>
  clusterSpec({
    name: "dev",
    masters: 1,
    workers: 1,
    runtime,
    index: 0,
    baseDir: "/var/lib/bosun/clusters",
    bosun: ["/usr/bin/node", "/opt/bosun/bin/bosun.js"],
    serverArgs: ["--node-monitor-grace-period=5s"],
    agentArgs: ["--node-lease-duration-seconds=4"],
    ...(images ? { images } : {}),
    now: new Date(0),
  });

const procs = ["/sys/fs/cgroup/freezer/bosun/dev/dev-master1/init/cgroup.procs"];

describe("isolated node launcher", () => {
  it("enters the node's netns, then unshares mount, UTS and PID namespaces around the init", () => {
    const s = spec("simulated");
    const argv = launcherCommand(s.nodes[0]!);
    assert.deepEqual(argv.slice(0, 2), ["nsenter", "--net=/run/netns/bosun-dev-master1"]);
    for (const flag of ["--mount", "--uts", "--pid", "--fork", "--kill-child", "--mount-proc"]) {
      assert.ok(argv.includes(flag), flag);
    }
    assert.deepEqual(argv.slice(-2), [
      "bash",
      "/var/lib/bosun/clusters/dev/nodes/dev-master1/init.sh",
    ]);
    assert.deepEqual(launcherWords(s.nodes[0]!), [
      "unshare",
      "/var/lib/bosun/clusters/dev/nodes/dev-master1/init.sh",
    ]);
  });

  it("writes an init that bash accepts", () => {
    for (const s of [spec("simulated", "/srv/images"), spec("containerd")]) {
      for (const node of s.nodes) {
        const check = spawnSync("bash", ["-n"], { input: nodeInitScript(s, node, procs) });
        assert.equal(check.status, 0, check.stderr.toString());
      }
    }
  });

  it("joins the cgroups first, remounts sysfs and binds the node's private paths", () => {
    const s = spec("simulated");
    const text = nodeInitScript(s, s.nodes[1]!, procs);
    const lines = text.split("\n");
    const joinAt = lines.findIndex((l) => l.startsWith("for f in /sys/fs/cgroup/freezer"));
    const hostnameAt = lines.indexOf('hostname "$node"');
    assert.ok(joinAt > 0 && joinAt < hostnameAt, "cgroups are joined before anything else runs");
    assert.match(text, /mount -t sysfs sysfs \/sys/);
    assert.match(
      text,
      /for p in \/run\/bosun \/run\/containerd \/run\/netns \/var\/lib\/containerd/,
    );
    assert.match(text, /rm -rf "\$dir\/fs\/run"/);
  });

  it("runs a server (without its own agent) and an agent on a simulated master", () => {
    const s = spec("simulated");
    const text = nodeInitScript(s, s.nodes[0]!, procs);
    assert.match(
      text,
      /daemon server \/usr\/bin\/node \/opt\/bosun\/bin\/bosun\.js server --data-dir \/var\/lib\/bosun\/clusters\/dev\/nodes\/dev-master1\/data --https-port 6443 --disable-agent --node-monitor-grace-period=5s/,
    );
    assert.match(text, /daemon agent agent/);
    assert.match(
      text,
      /agent --data-dir \S+ --node-name dev-master1 --node-ip 172\.31\.0\.11 --runtime simulated --node-lease-duration-seconds=4 --server "\$BOSUN_JOIN_SERVER"/,
    );
  });

  it("lets a containerd master's server run its own node", () => {
    const s = spec("containerd");
    const text = nodeInitScript(s, s.nodes[0]!, procs);
    assert.doesNotMatch(text, /--disable-agent/);
    assert.match(
      text,
      /--node-name dev-master1 --node-ip 172\.31\.0\.11 --cgroup-root \/bosun\/dev\/dev-master1/,
    );
    assert.match(
      nodeInitScript(s, s.nodes[1]!, procs),
      /--runtime containerd --cgroup-root \/bosun\/dev\/dev-worker1/,
    );
    assert.doesNotMatch(text, /daemon agent agent/);
    assert.equal(runsAgent(s, s.nodes[1]!), true);
  });

  it("mounts the image archives read-only as the agent's airgap folder", () => {
    const s = spec("containerd", "/srv/images");
    assert.match(
      nodeInitScript(s, s.nodes[1]!, procs),
      /mount --bind -o ro \/srv\/images \/var\/lib\/bosun\/clusters\/dev\/nodes\/dev-worker1\/data\/agent\/images/,
    );
  });
});

describe("several masters", () => {
  const ha = clusterSpec({
    name: "ha",
    masters: 3,
    workers: 1,
    runtime: "simulated",
    index: 2,
    baseDir: "/var/lib/bosun/clusters",
    bosun: ["bosun"],
    now: new Date(0),
    apiBalancerPort: 40123,
  });

  it("the first master starts the cluster, the others join it with the control-plane token", () => {
    const first = nodeInitScript(ha, ha.nodes[0]!, procs);
    assert.match(first, /daemon server .*--advertise-address 172\.31\.2\.11 --cluster-init/);
    const second = nodeInitScript(ha, ha.nodes[1]!, procs);
    assert.doesNotMatch(second, /--cluster-init/);
    assert.match(
      second,
      /--advertise-address 172\.31\.2\.12 .*--server "\$BOSUN_JOIN_SERVER" --token "\$BOSUN_SERVER_JOIN_TOKEN"/,
    );
    assert.match(second, /daemon server server/);
    for (const master of [first, second]) assert.match(master, /--leader-elect-lease-duration=10s/);
    // A worker joins as before.
    assert.match(nodeInitScript(ha, ha.nodes[3]!, procs), /--token "\$BOSUN_JOIN_TOKEN"/);
  });

  it("a single master keeps its plain server command", () => {
    const one = nodeInitScript(spec("simulated"), spec("simulated").nodes[0]!, procs);
    assert.doesNotMatch(one, /--cluster-init|--advertise-address|--leader-elect/);
  });
});
