/**
 * A local image registry for tests: Debian's `docker-registry` (distribution 2.8) with its own
 * config (no auth, storage in a temp dir, a free port on 127.0.0.1), loaded with the offline test
 * images (test/images/) by skopeo under both `<name>` and `library/<name>`, so that with the
 * mirror settings below a manifest saying `nginx`, `busybox:1.36` or `registry.k8s.io/pause:3.10.1`
 * pulls from here unchanged. Nothing reaches the internet: the mirror is also the `server` of
 * every registry (see src/kubelet/images/registry-hosts.ts).
 *
 *   const registry = await TestRegistry.start();        // builds/reuses images, pushes them
 *   TestServer.start({ args: registry.agentArgs() });    // --registry-mirror http://127.0.0.1:<port>
 *   await registry.stop();
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { get, request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MEDIA_TYPE_MANIFEST } from "../../../src/kubelet/images/oci-image.ts";
import type { RegistryConfig } from "../../../src/kubelet/images/registry-mirrors.ts";
import { terminate } from "../../../src/machinery/child-supervisor.ts";
import { freePort } from "../../../src/storage/testing/etcd-harness.ts";
import { type BuiltTestImage, buildTestImages } from "../../images/build.ts";
import { run } from "./server.ts";

const running = new Set<ChildProcess>();
process.once("exit", () => {
  for (const p of running) p.kill("SIGKILL");
});

export interface TestRegistryOptions {
  /** Repos to push (default: every test image). */
  readonly images?: readonly string[];
  /** Push nothing (a registry to push to yourself). */
  readonly empty?: boolean;
}

export interface RegistryTimings {
  readonly buildMs: number;
  readonly startMs: number;
  readonly pushMs: number;
  readonly pushes: number;
}

export class TestRegistry {
  /** `127.0.0.1:<port>`. */
  readonly host: string;
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  readonly dir: string;
  readonly images: BuiltTestImage[] = [];
  timings: RegistryTimings = { buildMs: 0, startMs: 0, pushMs: 0, pushes: 0 };
  log = "";
  #process: ChildProcess | undefined;

  private constructor(port: number, dir: string) {
    this.host = `127.0.0.1:${port}`;
    this.url = `http://${this.host}`;
    this.dir = dir;
  }

  static async start(options: TestRegistryOptions = {}): Promise<TestRegistry> {
    const t0 = performance.now();
    const images = options.empty
      ? []
      : await buildTestImages(options.images ? { only: options.images } : {});
    const t1 = performance.now();
    const registry = new TestRegistry(
      await freePort(),
      mkdtempSync(join(tmpdir(), "bosun-registry-")),
    );
    try {
      await registry.#launch();
      const t2 = performance.now();
      let pushes = 0;
      for (const image of images) pushes += await registry.push(image);
      registry.timings = {
        buildMs: t1 - t0,
        startMs: t2 - t1,
        pushMs: performance.now() - t2,
        pushes,
      };
      return registry;
    } catch (err) {
      await registry.stop();
      throw err;
    }
  }

  async #launch(): Promise<void> {
    const config = join(this.dir, "config.yml");
    writeFileSync(
      config,
      [
        "version: 0.1",
        "log: { level: warn, accesslog: { disabled: true } }",
        `storage: { filesystem: { rootdirectory: ${JSON.stringify(join(this.dir, "storage"))} }, delete: { enabled: true } }`,
        `http: { addr: ${JSON.stringify(this.host)} }`,
        "",
      ].join("\n"),
    );
    const child = spawn("docker-registry", ["serve", config], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    running.add(child);
    child.once("exit", () => running.delete(child));
    this.#process = child;
    child.stdout!.on("data", (d: Buffer) => (this.log += d.toString()));
    child.stderr!.on("data", (d: Buffer) => (this.log += d.toString()));
    const spawned = new Promise<void>((resolve, reject) => {
      child.once("spawn", resolve);
      child.once("error", (err) =>
        reject(
          new Error(`cannot run docker-registry (scripts/install-deps --test): ${err.message}`),
        ),
      );
    });
    await spawned;
    const deadline = Date.now() + 15_000;
    while ((await this.#status("/v2/")) !== 200) {
      if (child.exitCode !== null)
        throw new Error(`docker-registry exited ${child.exitCode}:\n${this.log}`);
      if (Date.now() > deadline) throw new Error(`docker-registry not ready in 15 s:\n${this.log}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  #status(path: string): Promise<number> {
    const accept =
      "application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json";
    const port = Number(this.host.split(":")[1]);
    return new Promise((resolve) => {
      const req = get(
        { host: "127.0.0.1", port, path, timeout: 1000, headers: { accept } },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.once("error", () => resolve(0));
      req.once("timeout", () => req.destroy());
    });
  }

  /**
   * Pushes every tag of an image under `<path>` and `library/<path>`; returns the push count.
   * skopeo pushes the first tag of each repository (blobs and manifest); the other tags are the
   * same manifest, so they are PUT directly (a few ms each instead of ~30 ms per skopeo run).
   */
  async push(image: BuiltTestImage): Promise<number> {
    const [first, ...others] = image.tags;
    if (!first) return 0;
    const manifest = readFileSync(join(image.layoutDir, "blobs", "sha256", image.digest.slice(7)));
    let count = 0;
    for (const repo of [image.registryPath, `library/${image.registryPath}`]) {
      const r = await run("skopeo", [
        "copy",
        "-q",
        "--dest-tls-verify=false",
        `oci:${image.layoutDir}:${first}`,
        `docker://${this.host}/${repo}:${first}`,
      ]);
      if (r.code !== 0)
        throw new Error(`skopeo copy ${image.repo}:${first} → ${repo}: ${r.stderr || r.stdout}`);
      await Promise.all(others.map((tag) => this.#putManifest(repo, tag, manifest)));
      count += image.tags.length;
    }
    this.images.push(image);
    return count;
  }

  #putManifest(repo: string, tag: string, manifest: Buffer): Promise<void> {
    const port = Number(this.host.split(":")[1]);
    const headers = { "content-type": MEDIA_TYPE_MANIFEST, "content-length": manifest.length };
    return new Promise((resolve, reject) => {
      const req = request(
        { host: "127.0.0.1", port, method: "PUT", path: `/v2/${repo}/manifests/${tag}`, headers },
        (res) => {
          let body = "";
          res.on("data", (d: Buffer) => (body += d.toString()));
          res.on("end", () =>
            res.statusCode === 201
              ? resolve()
              : reject(new Error(`PUT ${repo}:${tag}: ${res.statusCode} ${body}`)),
          );
        },
      );
      req.once("error", reject);
      req.end(manifest);
    });
  }

  /** Every registry resolves to this one, and nothing else: containerd's `_default`. */
  registryConfig(): RegistryConfig {
    return { mirrors: { _default: [this.url] } };
  }

  /** Flags for `bosun server`/`bosun agent` so that its containerd pulls from here. */
  agentArgs(): string[] {
    return ["--registry-mirror", this.url];
  }

  /** HTTP status of a manifest (200 when present), for checks. */
  manifestStatus(path: string, tag: string): Promise<number> {
    return this.#status(`/v2/${path}/manifests/${tag}`);
  }

  async stop(): Promise<void> {
    if (this.#process) await terminate(this.#process, 5000);
    this.#process = undefined;
    rmSync(this.dir, { recursive: true, force: true });
  }
}
