/**
 * The test image builder: each image holds what it needs (nginx with its libraries and loader,
 * config and page; redis server and cli; busybox applets), and a second build reuses the cache.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { buildTestImages } from "./build.ts";
import { sharedLibraries } from "./rootfs.ts";
import { testImageSpecs } from "./specs.ts";

const pathsOf = async (repo: string) => {
  const spec = testImageSpecs.find((s) => s.repo === repo)!;
  const { files, config } = await spec.build();
  return { paths: new Set(files.map((f) => f.path)), files, config };
};

describe("test images", () => {
  const cache = mkdtempSync(join(tmpdir(), "bosun-image-cache-"));
  after(() => rmSync(cache, { recursive: true, force: true }));

  it("nginx has its binary, every library ldd names, its config and the welcome page", async () => {
    const { paths, files, config } = await pathsOf("nginx");
    for (const lib of sharedLibraries("/usr/sbin/nginx")) assert.ok(paths.has(lib.slice(1)), lib);
    for (const p of [
      "usr/sbin/nginx",
      "etc/nginx/nginx.conf",
      "etc/nginx/mime.types",
      "bin/sh",
      "etc/passwd",
    ]) {
      assert.ok(paths.has(p), p);
    }
    const index = files.find((f) => f.path === "usr/share/nginx/html/index.html");
    assert.ok(index?.type === "file" && index.data.toString().includes("Welcome to nginx!"));
    assert.deepEqual(config.cmd, ["nginx", "-g", "daemon off;"]);
    assert.equal(config.stopSignal, "SIGQUIT");
  });

  it("redis has server and cli; busybox has its applets", async () => {
    const redis = await pathsOf("redis");
    assert.ok(redis.paths.has("usr/bin/redis-server") && redis.paths.has("usr/bin/redis-cli"));
    const busybox = await pathsOf("busybox");
    const sh = busybox.files.find((f) => f.path === "bin/sh");
    assert.deepEqual(sh, { type: "symlink", path: "bin/sh", target: "/bin/busybox" });
    const tmp = busybox.files.find((f) => f.path === "tmp");
    assert.equal(tmp?.type === "dir" ? tmp.mode : 0, 0o1777);
  });

  it("builds once and then reuses the cache", async () => {
    const first = await buildTestImages({
      cacheDir: cache,
      only: ["busybox", "registry.k8s.io/pause"],
    });
    assert.deepEqual(
      first.map((i) => i.rebuilt),
      [true, true],
    );
    assert.equal(first[1]!.registryPath, "pause");
    assert.ok(first[0]!.names.includes("docker.io/library/busybox:1.36"));
    const second = await buildTestImages({
      cacheDir: cache,
      only: ["busybox", "registry.k8s.io/pause"],
    });
    assert.deepEqual(
      second.map((i) => i.rebuilt),
      [false, false],
    );
    assert.equal(second[0]!.digest, first[0]!.digest);
  });
});
