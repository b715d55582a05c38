import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { clusterSpec } from "./spec.ts";
import {
  baseDir,
  listClusters,
  makeHostDirs,
  readCluster,
  removeHostDirsIfUnused,
  withLock,
  writeJSON,
} from "./state.ts";

describe("cluster state", () => {
  const tmp = mkdtempSync(join(tmpdir(), "bosun-state-"));
  after(() => rmSync(tmp, { recursive: true, force: true }));

  it("takes the base from the flag, else the environment, else /var/lib/bosun/clusters", () => {
    const saved = process.env.BOSUN_CLUSTER_DIR;
    delete process.env.BOSUN_CLUSTER_DIR;
    assert.equal(baseDir(), "/var/lib/bosun/clusters");
    process.env.BOSUN_CLUSTER_DIR = "/srv/c";
    assert.equal(baseDir(), "/srv/c");
    assert.equal(baseDir("/x"), "/x");
    if (saved === undefined) delete process.env.BOSUN_CLUSTER_DIR;
    else process.env.BOSUN_CLUSTER_DIR = saved;
  });

  it("lists saved clusters by name", async () => {
    const base = join(tmp, "list");
    for (const name of ["b", "a"]) {
      const spec = clusterSpec({
        name,
        masters: 1,
        workers: 0,
        runtime: "simulated",
        index: 0,
        baseDir: base,
        bosun: [],
        now: new Date(0),
      });
      await withLock(join(base, ".lock"), async () => {
        mkdirSync(spec.dir, { recursive: true });
        writeJSON(join(spec.dir, "cluster.json"), { ...spec, cgroups: { dirs: [] } });
      });
    }
    assert.deepEqual(
      listClusters(base).map((c) => c.name),
      ["a", "b"],
    );
    assert.equal(readCluster(base, "c"), undefined);
    assert.equal(existsSync(join(base, ".lock")), false);
  });

  it("serialises holders of the base lock and takes over a dead holder's lock", async () => {
    const base = join(tmp, "lock");
    const order: string[] = [];
    await Promise.all([
      withLock(join(base, ".lock"), async () => {
        order.push("a in");
        await new Promise((r) => setTimeout(r, 80));
        order.push("a out");
      }),
      new Promise((r) => setTimeout(r, 10)).then(() =>
        withLock(join(base, ".lock"), () => void order.push("b")),
      ),
    ]);
    assert.deepEqual(order, ["a in", "a out", "b"]);
    writeFileSync(join(base, ".lock"), "999999999");
    assert.equal(await withLock(join(base, ".lock"), () => "taken over"), "taken over");
  });

  it("removes the directories it made for mount points once no cluster is left", () => {
    const record = join(tmp, "host", "dirs.json");
    const made = join(tmp, "hostfs", "etc", "cni", "net.d");
    mkdirSync(join(tmp, "hostfs"));
    makeHostDirs(record, [made]);
    assert.equal(existsSync(made), true);
    removeHostDirsIfUnused(record, true);
    assert.equal(existsSync(made), true, "kept while a cluster may use it");
    removeHostDirsIfUnused(record, false);
    assert.equal(existsSync(join(tmp, "hostfs", "etc")), false);
    assert.equal(existsSync(join(tmp, "hostfs")), true, "it existed before");
    assert.equal(existsSync(record), false);
  });
});
