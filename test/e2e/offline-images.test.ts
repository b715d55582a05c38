/**
 * Offline images against a real, private containerd: the locally built pause image and airgap
 * archives imported into `k8s.io` (visible to CRI, skipped on the next start), pulls through the
 * mirror from the local test registry by the names manifests use (`nginx`, `busybox:1.36`,
 * `registry.k8s.io/pause:3.9`), misses answered NotFound by the mirror (never the internet), and
 * the test images actually running (nginx serves its page, redis answers, pause exits on TERM).
 * Prints build, import, push and pull timings.
 */
import assert from "node:assert/strict";
import { copyFileSync, createReadStream, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { gunzipSync, gzipSync } from "node:zlib";
import { CtrImageStore } from "../../src/kubelet/images/image-store.ts";
import {
  ARCHIVE_DIGEST_LABEL,
  importImageTarballs,
} from "../../src/kubelet/images/import-tarballs.ts";
import { ensurePauseImage, PAUSE_IMAGE } from "../../src/kubelet/images/pause-image.ts";
import { writeRegistryHosts } from "../../src/kubelet/images/registry-hosts.ts";
import { readTar, writeTar } from "../../src/kubelet/images/tar.ts";
import { createLogger } from "../../src/machinery/log.ts";
import { buildTestImages } from "../images/build.ts";
import { type CriImages, PrivateContainerd } from "./lib/private-containerd.ts";
import { TestRegistry } from "./lib/registry.ts";

const isRoot = process.getuid?.() === 0;

/** A `docker save` style archive of the single-layer image in an OCI archive. */
async function dockerArchive(ociArchivePath: string, tag: string): Promise<Buffer> {
  const blobs = new Map<string, Buffer>();
  for await (const e of readTar(createReadStream(ociArchivePath), () => true)) {
    if (e.data) blobs.set(e.path, e.data);
  }
  const index = JSON.parse(blobs.get("index.json")!.toString());
  const blob = (digest: string) => blobs.get(`blobs/sha256/${digest.slice(7)}`)!;
  const manifest = JSON.parse(blob(index.manifests[0].digest).toString());
  return writeTar([
    { type: "file", path: "config.json", data: blob(manifest.config.digest) },
    { type: "file", path: "layer.tar", data: gunzipSync(blob(manifest.layers[0].digest)) },
    {
      type: "file",
      path: "manifest.json",
      data: Buffer.from(
        JSON.stringify([{ Config: "config.json", RepoTags: [tag], Layers: ["layer.tar"] }]),
      ),
    },
  ]);
}
const ms = (t: number) => `${Math.round(performance.now() - t)} ms`;

describe("offline images on a private containerd", {
  skip: isRoot ? false : "needs root (containerd)",
}, () => {
  let registry: TestRegistry;
  let containerd: PrivateContainerd;
  let cri: CriImages;
  let airgap: string;
  const lines: string[] = [];
  const log = createLogger("images", { sink: { write: (l) => lines.push(l) } });
  const containers: string[] = [];

  before(async () => {
    const t = performance.now();
    const images = await buildTestImages();
    const sizes = images.map((i) => `${i.repo}=${(i.size / 1048576).toFixed(1)}MB`).join(" ");
    console.log(
      `# test images ready in ${ms(t)} (${images.filter((i) => i.rebuilt).length} rebuilt): ${sizes}`,
    );
    registry = await TestRegistry.start();
    const r = registry.timings;
    console.log(
      `# registry started in ${Math.round(r.startMs)} ms, ${r.pushes} pushes in ${Math.round(r.pushMs)} ms`,
    );
    containerd = await PrivateContainerd.start();
    cri = containerd.cri();
    await writeRegistryHosts(containerd.certsDir, registry.registryConfig());
    airgap = mkdtempSync(join(tmpdir(), "bosun-airgap-"));
  });

  after(async () => {
    for (const id of containers) {
      await containerd?.ctr(["task", "kill", "-s", "SIGKILL", id]);
      await containerd?.ctr(["task", "delete", "-f", id]);
      await containerd?.ctr(["container", "delete", id]);
    }
    cri?.close();
    await containerd?.stop();
    await registry?.stop();
    if (airgap) rmSync(airgap, { recursive: true, force: true });
  });

  it("imports the locally built pause image once", async () => {
    let t = performance.now();
    assert.equal(
      await ensurePauseImage({ socket: containerd.socket, namespace: "k8s.io", log }),
      PAUSE_IMAGE,
    );
    console.log(`# pause image built and imported in ${ms(t)}`);
    t = performance.now();
    await ensurePauseImage({ socket: containerd.socket, namespace: "k8s.io", log });
    console.log(`# pause image already present: checked in ${ms(t)}`);
    assert.equal(lines.filter((l) => l.includes("pause image imported")).length, 1);
    const status = await cri.imageStatus(PAUSE_IMAGE);
    assert.deepEqual(status?.repo_tags, [PAUSE_IMAGE]);
  });

  it("imports airgap archives, reports a corrupt one, and skips them next start", async () => {
    const [busybox, redis] = await buildTestImages({ only: ["busybox", "redis"] });
    copyFileSync(busybox!.archive, join(airgap, "busybox.tar"));
    copyFileSync(redis!.archive, join(airgap, "redis.tar"));
    writeFileSync(join(airgap, "broken.tar"), Buffer.alloc(4096, 7));
    writeFileSync(
      join(airgap, "dockerbox.tar.gz"),
      gzipSync(await dockerArchive(busybox!.archive, "dockerbox:1")),
    );
    let t = performance.now();
    const first = await importImageTarballs(airgap, { socket: containerd.socket, log });
    console.log(`# airgap import of busybox+redis (${first.length} archives) in ${ms(t)}`);
    assert.deepEqual(
      first.map((r) => [r.file.slice(airgap.length + 1), r.status]),
      [
        ["broken.tar", "failed"],
        ["busybox.tar", "imported"],
        ["dockerbox.tar.gz", "imported"],
        ["redis.tar", "imported"],
      ],
    );
    assert.match(first[0]!.error!, /not a tar archive/);
    const listed = await new CtrImageStore({ socket: containerd.socket }).list();
    const bb = listed.find((i) => i.name === "docker.io/library/busybox:1.36");
    assert.equal(bb?.digest, busybox!.digest);
    assert.equal(bb?.labels[ARCHIVE_DIGEST_LABEL], first[1]!.digest);
    assert.ok(await cri.imageStatus("busybox:1.36"), "CRI sees the imported image");
    assert.ok(await cri.imageStatus("redis"), "CRI sees the imported image");
    assert.deepEqual(first[2]!.names, ["docker.io/library/dockerbox:1"]);
    assert.ok(await cri.imageStatus("dockerbox:1"), "a docker save archive is imported too");
    t = performance.now();
    const second = await importImageTarballs(airgap, { socket: containerd.socket, log });
    console.log(`# airgap second start (all skipped) in ${ms(t)}`);
    assert.deepEqual(
      second.map((r) => r.status),
      ["failed", "skipped", "skipped", "skipped"],
    );
  });

  it("pulls through the mirror by the names manifests use", async () => {
    for (const image of [
      "nginx",
      "nginx:1.27",
      "registry.k8s.io/pause:3.9",
      "docker.io/library/busybox:1.37",
    ]) {
      const t = performance.now();
      const ref = await cri.pullImage(image);
      console.log(`# CRI PullImage ${image} from the local registry in ${ms(t)}`);
      assert.match(ref, /^sha256:[0-9a-f]{64}$/);
    }
    const nginx = await cri.imageStatus("docker.io/library/nginx:latest");
    assert.ok(nginx?.repo_digests.some((d) => d.startsWith("docker.io/library/nginx@sha256:")));
    const t = performance.now();
    await cri.pullImage("nginx");
    console.log(`# CRI PullImage nginx again (present) in ${ms(t)}`);
  });

  it("answers a miss from the mirror, never from the internet", async () => {
    for (const image of ["nginx:no-such-tag", "quay.io/org/tool:1", "gcr.io/x/y:2"]) {
      const t = performance.now();
      await assert.rejects(cri.pullImage(image), (err: { code?: number; details?: string }) => {
        assert.equal(err.code, 5, `${image}: ${err.details}`); // NOT_FOUND, not UNKNOWN (dial/DNS)
        return true;
      });
      assert.ok(performance.now() - t < 5000, `${image} answered in ${ms(t)}`);
    }
  });

  it("runs the test images: nginx serves its page, redis answers, pause stops on TERM", async () => {
    const start = async (id: string, image: string) => {
      containers.push(id);
      const r = await containerd.ctr(["run", "-d", image, id]);
      assert.equal(r.code, 0, r.stderr);
    };
    const exec = (id: string, ...cmd: string[]) =>
      containerd.ctr([
        "task",
        "exec",
        "--exec-id",
        `e${Math.random().toString(36).slice(2, 8)}`,
        id,
        ...cmd,
      ]);
    const suffix = process.pid;
    await start(`nginx-${suffix}`, "docker.io/library/nginx:latest");
    await start(`redis-${suffix}`, "docker.io/library/redis:7");
    await start(`pause-${suffix}`, PAUSE_IMAGE);
    let page = "";
    for (let i = 0; i < 50 && !page.includes("Welcome to nginx!"); i++) {
      page = (await exec(`nginx-${suffix}`, "wget", "-qO-", "http://127.0.0.1/")).stdout;
      if (!page) await new Promise((r) => setTimeout(r, 100));
    }
    assert.match(page, /<title>Welcome to nginx!<\/title>/);
    let pong = "";
    for (let i = 0; i < 50 && pong.trim() !== "PONG"; i++) {
      pong = (await exec(`redis-${suffix}`, "redis-cli", "ping")).stdout;
      if (pong.trim() !== "PONG") await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(pong.trim(), "PONG");
    assert.equal(
      (await containerd.ctr(["task", "kill", "-s", "SIGTERM", `pause-${suffix}`])).code,
      0,
    );
    let tasks = "";
    for (let i = 0; i < 50 && !/pause-\d+\s+\d+\s+STOPPED/.test(tasks); i++) {
      tasks = (await containerd.ctr(["task", "ls"])).stdout;
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.match(tasks, /pause-\d+\s+\d+\s+STOPPED/);
  });
});
