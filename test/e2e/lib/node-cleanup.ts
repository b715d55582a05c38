/**
 * Leaves nothing of a test's containerd behind: its containers (runc, under its runc root), the
 * containerd-shim processes serving its socket, mounts under its directories, and its run dir.
 * A stopped agent leaves its pods running on purpose (as upstream's kubelet), so a test that ends
 * with pods — or fails half-way — calls this after stopping its server or containerd.
 */
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, rmdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { nodeDirs } from "../../../src/cli/containerd-node.ts";
import { shimPids } from "../../../src/kubelet/containerd/run-dir.ts";
import { run, type TestServer } from "./server.ts";

/** Pids of containerd shims started with `-address <socket>`. */
export const shimsServing = (socket: string): number[] => shimPids(socket);

/** Pids of the processes whose parent is one of `parents` (a shim's tasks: it is their subreaper). */
export function childrenOf(parents: readonly number[]): number[] {
  const wanted = new Set(parents);
  const pids: number[] = [];
  for (const pid of readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (wanted.has(ppid)) pids.push(Number(pid));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

export function mountsUnder(dir: string): string[] {
  return readFileSync("/proc/self/mountinfo", "utf8")
    .split("\n")
    .map((l) => l.split(" ")[4] ?? "")
    .filter((m) => m.startsWith(`${dir}/`));
}

/** The pod's cgroup directories (cgroupfs layout, every hierarchy) that exist. */
export function podCgroups(uid: string): string[] {
  const hierarchies = existsSync("/sys/fs/cgroup/cgroup.controllers")
    ? ["/sys/fs/cgroup"]
    : readdirSync("/sys/fs/cgroup").map((h) => join("/sys/fs/cgroup", h));
  return hierarchies
    .flatMap((h) => ["", "burstable", "besteffort"].map((q) => join(h, "kubepods", q, `pod${uid}`)))
    .filter((d) => existsSync(d));
}

/** The cgroup directories runc made for a container (from its state), per hierarchy. */
function containerCgroups(stateDir: string): string[] {
  try {
    const state = JSON.parse(readFileSync(join(stateDir, "state.json"), "utf8"));
    return Object.values((state.cgroup_paths ?? {}) as Record<string, string>);
  } catch {
    return [];
  }
}

/**
 * Kills every container under a runc root (`<root>/<namespace>/<id>`) and deletes its state; the
 * pod cgroups that held them go too once empty (the kubelet that would remove them is gone).
 */
async function killContainers(runcRoot: string): Promise<void> {
  let namespaces: string[] = [];
  try {
    namespaces = readdirSync(runcRoot);
  } catch {
    return;
  }
  for (const ns of namespaces) {
    const root = join(runcRoot, ns);
    for (const id of readdirSync(root)) {
      const parents = new Set(containerCgroups(join(root, id)).map((p) => dirname(p)));
      await run("runc", ["--root", root, "kill", id, "KILL"]);
      await run("runc", ["--root", root, "delete", "--force", id]);
      for (const dir of parents) {
        if (!/\/pod[0-9a-f-]+$/.test(dir)) continue;
        try {
          rmdirSync(dir);
        } catch {
          // another container of the pod is still there (removed with it), or gone already
        }
      }
    }
  }
}

/** Cleans up a containerd whose socket, runc root and directories are given. */
export async function cleanupContainerd(parts: {
  socket: string;
  runcRoot: string;
  dirs: readonly string[];
}): Promise<void> {
  await killContainers(parts.runcRoot);
  // A task under another runc root (`ctr run` without --runc-root, say) is still the shim's child:
  // killed first, or it outlives its shim, reparented to init.
  const shims = shimsServing(parts.socket);
  for (const pid of [...childrenOf(shims), ...shims]) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // exited with its last container
    }
  }
  for (const m of parts.dirs.flatMap(mountsUnder).reverse()) await run("umount", ["-l", m]);
}

/** After a `bosun server`/`agent` with a containerd node on `dataDir` has stopped. */
export async function cleanupNode(dataDir: string): Promise<void> {
  const d = nodeDirs(dataDir);
  await cleanupContainerd({
    socket: d.socket,
    runcRoot: join(d.run, "runc"),
    dirs: [dataDir, d.run],
  });
  rmSync(d.run, { recursive: true, force: true });
}

type Step = readonly [string, () => unknown];

/**
 * The end of a file whose server ran a containerd node: deletes the pods while the node runs,
 * stops and disposes of the server (which cleans the node up), runs `more` (the file's own
 * clean-up), then removes the pod bridge if nothing is attached to it. Every step runs even if
 * one before failed; the test fails naming the steps that did.
 */
export async function tearDownNode(s: TestServer | undefined, ...more: Step[]): Promise<void> {
  const steps: Step[] = [
    [
      "delete pods",
      () =>
        s?.process &&
        s.kubectl(["delete", "pods", "--all", "--grace-period=1", "--wait=true", "--timeout=60s"]),
    ],
    ["stop and remove the server", () => s?.dispose()],
    ...more,
    [
      "remove bridge",
      async () => {
        // The pod bridge outlives its pods (as upstream); remove it once nothing is attached.
        const attached = await run("ip", ["-o", "link", "show", "master", "cni0"]);
        if (attached.code === 0 && attached.stdout.trim() === "")
          await run("ip", ["link", "delete", "cni0"]);
      },
    ],
  ];
  const errors: string[] = [];
  for (const [what, step] of steps) {
    try {
      await step();
    } catch (err) {
      errors.push(`${what}: ${(err as Error).message}`);
    }
  }
  assert.deepEqual(errors, [], "clean-up");
}
