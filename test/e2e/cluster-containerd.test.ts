/**
 * `bosun cluster` on real containerd (issue 9): every node runs its own containerd, CNI bridge and
 * pod CIDR inside its namespaces, with the offline test images as its airgap folder. Pods on
 * different nodes reach each other by pod IP over the host-gw routes; freezing a node freezes
 * its containers too (their cgroups live under the node's); delete leaves nothing, pod cgroups
 * included. Runs as root with containerd installed; skipped otherwise.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { after, before, describe, it } from "node:test";
import { buildTestImages } from "../images/build.ts";
import {
  type HostSnapshot,
  hostSnapshot,
  leftovers,
  rootSkip,
  TestCluster,
} from "./lib/cluster.ts";
import { until } from "./lib/wait.ts";

type Obj = Record<string, any>;

const skip = rootSkip || (existsSync("/usr/bin/containerd") ? false : "needs containerd");

/** An HTTP GET from inside a node's network namespace; the status code, or 0. */
async function getFromNode(netns: string, url: string): Promise<number> {
  const r = spawnSync("nsenter", [
    `--net=/run/netns/${netns}`,
    "curl",
    "-s",
    "-m",
    "2",
    "-o",
    "/dev/null",
    "-w",
    "%{http_code}",
    url,
  ]);
  return Number(r.stdout?.toString()) || 0;
}

/** Cgroup directories of these pods anywhere on the host. */
function podCgroups(uids: readonly string[]): string[] {
  const found: string[] = [];
  const walk = (dir: string, depth: number) => {
    if (depth > 6) return;
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (!e.isDirectory()) continue;
      const path = join(dir, e.name);
      if (uids.some((u) => e.name === `pod${u}`)) found.push(path);
      else walk(path, depth + 1);
    }
  };
  walk("/sys/fs/cgroup", 0);
  return found;
}

describe("bosun cluster on containerd", { skip }, () => {
  let c: TestCluster | undefined;
  let images: string;
  let snapshot: HostSnapshot;
  let pods: Obj[] = [];
  const name = (role: string) => `${c!.name}-${role}`;

  before(async () => {
    images = mkdtempSync(join(tmpdir(), "bosun-cluster-images-"));
    for (const image of await buildTestImages({ only: ["nginx", "busybox"] })) {
      symlinkSync(image.archive, join(images, basename(image.archive)));
    }
    snapshot = await hostSnapshot();
    c = await TestCluster.create("ctrd", {
      workers: 2,
      runtime: "containerd",
      args: ["--images", images],
    }).catch(async (err: unknown) => {
      await c?.delete();
      throw err;
    });
  });
  after(async () => {
    await c?.delete();
    rmSync(images, { recursive: true, force: true });
  });

  it("comes up with three Ready containerd nodes, each with its own pod CIDR", async () => {
    const nodes = (await c!.json("get", "nodes")).items as Obj[];
    assert.equal(nodes.length, 3);
    for (const n of nodes) {
      assert.match(n.status.nodeInfo.containerRuntimeVersion, /^containerd:\/\//);
      assert.match(n.spec.podCIDR, /^10\.244\.\d+\.0\/24$/);
    }
    assert.equal(new Set(nodes.map((n) => n.spec.podCIDR)).size, 3);
  });

  it("runs pods on every node", async () => {
    await c!.k("create", "deployment", "web", "--image=nginx:1.27", "--replicas=3");
    pods = await until("three running nginx pods on three nodes", async () => {
      const list = (await c!.json("get", "pods", "-l", "app=web")).items as Obj[];
      const running = list.filter((p) => p.status.phase === "Running" && p.status.podIP);
      return running.length === 3 && new Set(running.map((p) => p.spec.nodeName)).size === 3
        ? running
        : undefined;
    });
  });

  it("pods on different nodes reach each other by pod IP", async () => {
    const targets = pods.filter((p) => p.spec.nodeName !== name("worker1"));
    const ips = targets.map((p) => p.status.podIP).join(" ");
    await c!.k(
      "run",
      "probe",
      "--image=busybox:1",
      "--restart=Never",
      `--overrides=${JSON.stringify({ spec: { nodeName: name("worker1") } })}`,
      "--",
      "sh",
      "-c",
      `for ip in ${ips}; do printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 3 $ip 80 | grep -q 'HTTP/1.1 200' || exit 1; done`,
    );
    const probe = await until("the probe to finish", async () => {
      const p = await c!.json("get", "pod", "probe");
      return ["Succeeded", "Failed"].includes(p.status.phase) ? p : undefined;
    });
    assert.equal(probe.status.phase, "Succeeded", JSON.stringify(probe.status.containerStatuses));
  });

  it("freezing a node freezes its containers", async () => {
    const target = pods.find((p) => p.spec.nodeName === name("worker2"))!;
    const url = `http://${target.status.podIP}/`;
    const from = `bosun-${name("master1")}`;
    assert.equal(await getFromNode(from, url), 200);
    await c!.node("freeze", name("worker2"));
    try {
      assert.equal(await getFromNode(from, url), 0, "a frozen nginx does not answer");
    } finally {
      await c!.node("thaw", name("worker2"));
    }
    assert.equal(await getFromNode(from, url), 200);
  });

  it("delete leaves the host as it was, pods' cgroups included", async () => {
    const uids = pods.map((p) => p.metadata.uid as string);
    const cluster = c!;
    c = undefined;
    const r = await cluster.delete();
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(podCgroups(uids), []);
    assert.deepEqual(leftovers(snapshot, await hostSnapshot(), cluster), {});
  });
});
