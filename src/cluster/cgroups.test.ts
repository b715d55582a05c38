import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import {
  cgroupPids,
  clusterCgroups,
  initProcsFiles,
  isFrozen,
  nodeCgroupDirs,
  parseHierarchies,
  setFrozen,
} from "./cgroups.ts";

const mountinfo = `31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
34 31 0:31 / /sys/fs/cgroup/cpuset rw,relatime - cgroup cgroup rw,cpuset
37 31 0:34 / /sys/fs/cgroup/freezer rw,relatime - cgroup cgroup rw,freezer
40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime shared:9 - cgroup cgroup rw,xattr,name=systemd
41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
24 1 0:5 / /proc rw - proc proc rw`;

describe("per-node cgroups", () => {
  const tmp = mkdtempSync(join(tmpdir(), "bosun-cgroups-"));
  after(() => rmSync(tmp, { recursive: true, force: true }));

  it("finds v1 and v2 hierarchies in mountinfo", () => {
    assert.deepEqual(parseHierarchies(mountinfo), [
      { mount: "/sys/fs/cgroup/cpu", version: 1, controllers: ["cpu"] },
      { mount: "/sys/fs/cgroup/cpuset", version: 1, controllers: ["cpuset"] },
      { mount: "/sys/fs/cgroup/freezer", version: 1, controllers: ["freezer"] },
      { mount: "/sys/fs/cgroup/systemd", version: 1, controllers: ["xattr", "name=systemd"] },
      { mount: "/sys/fs/cgroup/unified", version: 2, controllers: [] },
    ]);
  });

  it("gives each node a root under /bosun/<cluster> in every hierarchy, freezing with v1's freezer", () => {
    const cg = clusterCgroups(parseHierarchies(mountinfo), "dev");
    assert.equal(cg.freezer?.dir, "/sys/fs/cgroup/freezer/bosun/dev");
    assert.equal(cg.freezer?.version, 1);
    assert.deepEqual(nodeCgroupDirs(cg, "dev-worker1").slice(0, 2), [
      "/sys/fs/cgroup/cpu/bosun/dev/dev-worker1",
      "/sys/fs/cgroup/cpuset/bosun/dev/dev-worker1",
    ]);
    assert.equal(initProcsFiles(cg, "n")[0], "/sys/fs/cgroup/cpu/bosun/dev/n/init/cgroup.procs");
  });

  it("freezes through freezer.state (v1) and cgroup.freeze (v2)", async () => {
    const v1 = { dirs: [join(tmp, "v1")], freezer: { dir: join(tmp, "v1"), version: 1 as const } };
    mkdirSync(join(tmp, "v1", "n1"), { recursive: true });
    writeFileSync(join(tmp, "v1", "n1", "freezer.state"), "THAWED\n");
    await setFrozen(v1, "n1", true);
    assert.equal(readFileSync(join(tmp, "v1", "n1", "freezer.state"), "utf8"), "FROZEN");
    assert.equal(isFrozen(v1, "n1"), true);

    const v2 = { dirs: [join(tmp, "v2")], freezer: { dir: join(tmp, "v2"), version: 2 as const } };
    mkdirSync(join(tmp, "v2", "n1"), { recursive: true });
    writeFileSync(join(tmp, "v2", "n1", "cgroup.freeze"), "0\n");
    writeFileSync(join(tmp, "v2", "n1", "cgroup.events"), "populated 1\nfrozen 1\n");
    await setFrozen(v2, "n1", true);
    assert.equal(readFileSync(join(tmp, "v2", "n1", "cgroup.freeze"), "utf8"), "1");
    assert.equal(isFrozen(v2, "n1"), true);
  });

  it("says clearly when there is no freezer", async () => {
    await assert.rejects(setFrozen({ dirs: [] }, "n1", true), /no cgroup freezer/);
    assert.equal(isFrozen({ dirs: [] }, "n1"), false);
  });

  it("collects the processes of a cgroup tree", () => {
    const root = join(tmp, "pids", "node");
    mkdirSync(join(root, "init"), { recursive: true });
    mkdirSync(join(root, "kubepods", "pod1"), { recursive: true });
    writeFileSync(join(root, "cgroup.procs"), "");
    writeFileSync(join(root, "init", "cgroup.procs"), "10\n11\n");
    writeFileSync(join(root, "kubepods", "pod1", "cgroup.procs"), "12\n");
    assert.deepEqual(cgroupPids(root).sort(), [10, 11, 12]);
  });
});
