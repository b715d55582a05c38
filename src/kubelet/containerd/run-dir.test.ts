/** The containerd run dir is removed after containerd stops only when nothing runs from it. */
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { removeRunDirIfIdle, runDirUsers } from "./run-dir.ts";

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
