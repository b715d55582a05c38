/**
 * Volumes on disk: the atomic writer's `..data` swap and no-op on equal content, projected
 * volumes with items, modes, downward API and tokens (renewed at 80 % of their lifetime),
 * hostPath type checks, and teardown that refuses to remove what is still mounted.
 */
import assert from "node:assert/strict";
import {
  existsSync,
  lstatSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { FakeClock } from "../../machinery/clock.ts";
import { FakePodObjects, testPod } from "../kuberuntime/testing.ts";
import { writeAtomic } from "./atomic-writer.ts";
import { FakeMounter, parseMountInfo } from "./mounter.ts";
import { checkHostPath, VolumeManager } from "./volume-manager.ts";

const root = mkdtempSync(join(tmpdir(), "bosun-volumes-"));
after(() => rmSync(root, { recursive: true, force: true }));

describe("writeAtomic", () => {
  it("swaps ..data to a new directory and links top-level names through it", () => {
    const dir = join(root, "atomic");
    const file = (s: string) => ({ data: Buffer.from(s), mode: 0o644 });
    assert.equal(
      writeAtomic(
        dir,
        new Map([
          ["a", file("1")],
          ["sub/b", file("2")],
        ]),
      ),
      true,
    );
    const first = readlinkSync(join(dir, "..data"));
    assert.equal(readlinkSync(join(dir, "a")), "..data/a");
    assert.equal(readFileSync(join(dir, "sub/b"), "utf8"), "2");
    assert.equal(
      writeAtomic(
        dir,
        new Map([
          ["a", file("1")],
          ["sub/b", file("2")],
        ]),
      ),
      false,
      "same content: no write",
    );
    assert.equal(writeAtomic(dir, new Map([["a", file("changed")]])), true);
    assert.notEqual(readlinkSync(join(dir, "..data")), first);
    assert.equal(existsSync(join(dir, first)), false, "the old directory is removed");
    assert.equal(readFileSync(join(dir, "a"), "utf8"), "changed");
    assert.equal(existsSync(join(dir, "sub")), false, "names no longer projected go");
    assert.throws(() => writeAtomic(dir, new Map([["../x", file("")]])), /must not contain '..'/);
  });
});

describe("VolumeManager", () => {
  const clock = new FakeClock();
  const objects = new FakePodObjects();
  objects.now = () => clock.now();
  objects.configMaps.set("default/cfg", { data: { a: "1", b: "2" } });
  objects.configMaps.set("default/kube-root-ca.crt", { data: { "ca.crt": "CA" } });
  const mounter = new FakeMounter();
  const vm = new VolumeManager({
    rootDir: join(root, "kubelet"),
    objects,
    mounter,
    clock,
    allocatable: { cpu: "2", memory: "1Gi" },
  });
  const pod = testPod({
    volumes: [
      {
        name: "cfg",
        configMap: { name: "cfg", items: [{ key: "b", path: "dir/b", mode: 0o600 }] },
      },
      { name: "mem", emptyDir: { medium: "Memory" } },
      {
        name: "api",
        projected: {
          sources: [
            { serviceAccountToken: { path: "token", expirationSeconds: 3600 } },
            { configMap: { name: "kube-root-ca.crt", items: [{ key: "ca.crt", path: "ca.crt" }] } },
            {
              downwardAPI: {
                items: [{ path: "namespace", fieldRef: { fieldPath: "metadata.namespace" } }],
              },
            },
          ],
        },
      },
    ],
  });
  const ips = { podIP: "", hostIP: "192.168.1.10" };

  it("projects files with items and modes, mounts tmpfs where upstream does", async () => {
    const vols = await vm.setUpPod(pod, ips);
    const cfg = vols.get("cfg")!;
    assert.equal(cfg.readOnly, true);
    assert.equal(readFileSync(join(cfg.hostPath, "dir/b"), "utf8"), "2");
    assert.equal(statSync(join(cfg.hostPath, "dir/b")).mode & 0o777, 0o600);
    assert.equal(existsSync(join(cfg.hostPath, "a")), false);
    const api = vols.get("api")!.hostPath;
    assert.equal(readFileSync(join(api, "token"), "utf8"), "token-1");
    assert.equal(readFileSync(join(api, "ca.crt"), "utf8"), "CA");
    assert.equal(readFileSync(join(api, "namespace"), "utf8"), "default");
    assert.deepEqual([...mounter.mounts].map((m) => m.split("/").slice(-2).join("/")).sort(), [
      "kubernetes.io~empty-dir/mem",
      "kubernetes.io~projected/api",
    ]);
    assert.equal(objects.tokenRequests[0]?.podName, "web");
  });

  it("renews a token at 80 % of its lifetime and follows object updates", async () => {
    objects.configMaps.set("default/cfg", { data: { b: "3" } });
    clock.advance(2000 * 1000);
    let vols = await vm.setUpPod(pod, ips);
    assert.equal(readFileSync(join(vols.get("cfg")!.hostPath, "dir/b"), "utf8"), "3");
    assert.equal(objects.tokenRequests.length, 1, "fresh at 55 %");
    clock.advance(1000 * 1000);
    vols = await vm.setUpPod(pod, ips);
    assert.equal(objects.tokenRequests.length, 2, "renewed past 80 %");
    assert.equal(readFileSync(join(vols.get("api")!.hostPath, "token"), "utf8"), "token-2");
  });

  it("tears everything down", async () => {
    const uid = pod.metadata!.uid!;
    await vm.tearDownPod(uid);
    assert.equal(existsSync(vm.podDir(uid)), false);
    assert.equal(mounter.mounts.size, 0);
    assert.deepEqual(vm.podsOnDisk(), []);
  });

  it("refuses to remove a pod directory something is still mounted in", async () => {
    const stuck = {
      ...mounter,
      unmount: async () => {},
      mountPointsUnder: mounter.mountPointsUnder.bind(mounter),
      mountTmpfs: mounter.mountTmpfs.bind(mounter),
    };
    const vm2 = new VolumeManager({
      rootDir: join(root, "k2"),
      objects,
      mounter: stuck,
      clock,
      allocatable: {},
    });
    const p = testPod({ volumes: [{ name: "m", emptyDir: { medium: "Memory" } }] });
    await vm2.setUpPod(p, ips);
    await assert.rejects(vm2.tearDownPod(p.metadata!.uid!), /still mounted/);
    assert.ok(existsSync(vm2.podDir(p.metadata!.uid!)));
  });
});

describe("hostPath and mountinfo", () => {
  it("checks types as upstream", () => {
    const dir = join(root, "hp", "new");
    checkHostPath({ path: dir, type: "DirectoryOrCreate" });
    assert.ok(lstatSync(dir).isDirectory());
    checkHostPath({ path: join(dir, "f"), type: "FileOrCreate" });
    assert.throws(
      () => checkHostPath({ path: join(dir, "f"), type: "Directory" }),
      /hostPath type check failed: .* is not a directory/,
    );
    assert.throws(
      () => checkHostPath({ path: join(dir, "missing"), type: "File" }),
      /is not a file/,
    );
    checkHostPath({ path: join(dir, "missing"), type: "" });
  });

  it("reads mount points with escapes undone", () => {
    const text =
      "36 35 98:0 /mnt1 /mnt\\040with\\040space rw,noatime master:1 - ext3 /dev/root rw\n";
    assert.deepEqual(parseMountInfo(text), ["/mnt with space"]);
  });
});
