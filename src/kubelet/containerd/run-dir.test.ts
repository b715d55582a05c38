/** The containerd run dir is removed after containerd stops only when nothing runs from it. */
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { removeAbandonedTasks, removeRunDirIfIdle, runDirUsers } from "./run-dir.ts";

describe("removeRunDirIfIdle", () => {
  const base = mkdtempSync(join(tmpdir(), "bosun-run-dir-"));
  after(() => rmSync(base, { recursive: true, force: true }));
  const noMounts = { mounts: () => [] };
  /** What containerd leaves after a clean stop: empty plugin dirs and the stale ttrpc socket. */
  const skeleton = (name: string) => {
    const dir = join(base, name);
    for (const d of [
      "state/io.containerd.runtime.v2.task/k8s.io",
      "state/io.containerd.grpc.v1.cri/sandboxes",
      "state/io.containerd.grpc.v1.cri/netns",
      "runc/k8s.io",
    ]) {
      mkdirSync(join(dir, d), { recursive: true });
    }
    writeFileSync(join(dir, "containerd.sock.ttrpc"), "");
    return dir;
  };

  it("removes what a stopped containerd leaves when no pod runs", () => {
    const dir = skeleton("idle");
    assert.deepEqual(runDirUsers(dir, noMounts), []);
    assert.equal(removeRunDirIfIdle(dir, noMounts), "removed");
    assert.ok(!existsSync(dir));
    assert.equal(removeRunDirIfIdle(dir, noMounts), "absent");
  });

  it("keeps the dir while shims, runc containers or sandbox network namespaces remain", () => {
    const withTask = skeleton("task");
    mkdirSync(join(withTask, "state/io.containerd.runtime.v2.task/k8s.io/abc123"));
    assert.deepEqual(runDirUsers(withTask, noMounts), ["task k8s.io/abc123"]);
    assert.equal(removeRunDirIfIdle(withTask, noMounts), "in use");
    assert.ok(existsSync(withTask));

    const withContainer = skeleton("container");
    mkdirSync(join(withContainer, "runc/k8s.io/def456"));
    assert.equal(removeRunDirIfIdle(withContainer, noMounts), "in use");

    const withNetns = skeleton("netns");
    const netns = join(withNetns, "state/io.containerd.grpc.v1.cri/netns/cni-1");
    assert.deepEqual(runDirUsers(withNetns, { mounts: () => ["/proc", netns] }), [
      `mount ${netns}`,
    ]);
    assert.equal(removeRunDirIfIdle(withNetns, { mounts: () => [netns] }), "in use");
  });
});

describe("removeAbandonedTasks", () => {
  const base = mkdtempSync(join(tmpdir(), "bosun-abandoned-"));
  after(() => rmSync(base, { recursive: true, force: true }));
  const socket = join(base, "containerd.sock");
  const tasks = join(base, "state/io.containerd.runtime.v2.task/k8s.io");
  const runc = join(base, "runc");
  /** A task bundle as the shim writes it: its runc options and a rootfs mount point. */
  const bundle = (entry: string, options: object = { root: runc }) => {
    mkdirSync(join(tasks, entry, "rootfs"), { recursive: true });
    writeFileSync(join(tasks, entry, "options.json"), JSON.stringify(options));
  };

  it("removes half-deleted bundles, kills their own shims and unmounts, keeps live containers", async () => {
    bundle(".hidden0"); // renamed for removal, then containerd stopped
    bundle("sandbox1"); // runc deleted the pause container; its shim still runs
    bundle("member2"); // a pod container runc deleted; served by its sandbox's shim
    bundle("running3"); // runc still has it
    mkdirSync(join(runc, "k8s.io/running3"), { recursive: true });
    bundle("default4", {}); // no runc root option: looked for under runc's default root
    const shims: Record<string, number[]> = { sandbox1: [101], running3: [103], hidden0: [] };
    const killed: number[] = [];
    const mounts = new Set([join(tasks, "sandbox1/rootfs"), join(tasks, "running3/rootfs")]);
    const removed = await removeAbandonedTasks(base, socket, {
      mounter: {
        mountPointsUnder: async (dir) => [...mounts].filter((m) => m.startsWith(`${dir}/`)),
        unmount: async (dir) => {
          mounts.delete(dir);
        },
      },
      shims: (s, id) => (s === socket ? (shims[id] ?? []) : [999]),
      kill: (pid) => killed.push(pid),
    });
    assert.deepEqual(
      removed.sort((a, b) => a.task.localeCompare(b.task)),
      [
        { task: "k8s.io/default4", state: "container gone", shims: [] },
        { task: "k8s.io/hidden0", state: "half-removed", shims: [] },
        { task: "k8s.io/member2", state: "container gone", shims: [] },
        { task: "k8s.io/sandbox1", state: "container gone", shims: [101] },
      ],
    );
    assert.deepEqual(killed, [101]);
    assert.deepEqual(
      [...mounts],
      [join(tasks, "running3/rootfs")],
      "the live task keeps its rootfs",
    );
    assert.ok(existsSync(join(tasks, "running3")));
    for (const gone of [".hidden0", "sandbox1", "member2"]) {
      assert.ok(!existsSync(join(tasks, gone)), gone);
    }
  });

  it("does nothing to a run dir without tasks", async () => {
    const empty = mkdtempSync(join(base, "empty-"));
    const removed = await removeAbandonedTasks(empty, socket, {
      mounter: {
        mountPointsUnder: async () => assert.fail("no bundle to look at"),
        unmount: async () => assert.fail("nothing to unmount"),
      },
      kill: () => assert.fail("nothing to kill"),
    });
    assert.deepEqual(removed, []);
  });
});
