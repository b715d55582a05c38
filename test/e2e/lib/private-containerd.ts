/**
 * A private containerd for tests that exercise images without a whole agent: its own root, state,
 * socket, `opt` dir and runc root under a temp dir, its own config (CRI plugin with
 * `restrict_oom_score_adj` and a `config_path` certs dir for registry mirrors), stopped with
 * SIGTERM and cleaned up (containers and shims a test left killed, mounts under the dir
 * unmounted, dir removed). Also a minimal CRI
 * ImageService client (PullImage, ImageStatus) so a test can pull as the kubelet does.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as grpc from "@grpc/grpc-js";
import protobuf from "protobufjs";
import { terminate } from "../../../src/machinery/child-supervisor.ts";
import { cleanupContainerd } from "./node-cleanup.ts";
import { run } from "./server.ts";

const running = new Set<ChildProcess>();
process.once("exit", () => {
  for (const p of running) p.kill("SIGKILL");
});

export class PrivateContainerd {
  readonly dir: string;
  readonly socket: string;
  readonly certsDir: string;
  log = "";
  #process: ChildProcess | undefined;

  private constructor(dir: string) {
    this.dir = dir;
    this.socket = join(dir, "containerd.sock");
    this.certsDir = join(dir, "certs.d");
  }

  static async start(options: { sandboxImage?: string } = {}): Promise<PrivateContainerd> {
    const c = new PrivateContainerd(mkdtempSync(join(tmpdir(), "bosun-containerd-")));
    mkdirSync(c.certsDir);
    const d = c.dir;
    writeFileSync(
      join(d, "config.toml"),
      `version = 2
root = "${d}/root"
state = "${d}/state"
[grpc]
  address = "${c.socket}"
[metrics]
  address = ""
[plugins."io.containerd.internal.v1.opt"]
  path = "${d}/opt"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "${options.sandboxImage ?? "registry.k8s.io/pause:3.10.1"}"
  restrict_oom_score_adj = true
  netns_mounts_under_state_dir = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        Root = "${d}/runc"
  [plugins."io.containerd.grpc.v1.cri".cni]
    conf_dir = "${d}/net.d"
  [plugins."io.containerd.grpc.v1.cri".registry]
    config_path = "${c.certsDir}"
`,
    );
    const child = spawn("containerd", ["--config", join(d, "config.toml")], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    running.add(child);
    child.once("exit", () => running.delete(child));
    c.#process = child;
    child.stdout!.on("data", (b: Buffer) => (c.log += b.toString()));
    child.stderr!.on("data", (b: Buffer) => (c.log += b.toString()));
    await new Promise<void>((resolve, reject) => {
      child.once("spawn", resolve);
      child.once("error", (err) => reject(new Error(`cannot run containerd: ${err.message}`)));
    });
    const deadline = Date.now() + 20_000;
    for (;;) {
      if (existsSync(c.socket) && (await c.ctr(["version"])).code === 0) break;
      if (child.exitCode !== null || Date.now() > deadline) {
        await c.stop();
        throw new Error(`containerd did not start:\n${c.log}`);
      }
      await new Promise((r) => setTimeout(r, 25));
    }
    return c;
  }

  /** Runs `ctr` against this containerd in namespace k8s.io. */
  ctr(args: readonly string[]) {
    return run("ctr", ["--address", this.socket, "--namespace", "k8s.io", ...args]);
  }

  cri(): CriImages {
    return new CriImages(this.socket);
  }

  async stop(): Promise<void> {
    if (this.#process) await terminate(this.#process, 10_000);
    this.#process = undefined;
    // Tasks a test left running keep their shims (and containers) alive past containerd.
    await cleanupContainerd({
      socket: this.socket,
      runcRoot: join(this.dir, "runc"),
      dirs: [this.dir],
    });
    rmSync(this.dir, { recursive: true, force: true });
  }
}

const descriptor: protobuf.INamespace = {
  nested: {
    runtime: {
      nested: {
        v1: {
          nested: {
            ImageService: {
              methods: {
                PullImage: {
                  requestType: "PullImageRequest",
                  responseType: "PullImageResponse",
                  comment: "",
                },
                ImageStatus: {
                  requestType: "ImageStatusRequest",
                  responseType: "ImageStatusResponse",
                  comment: "",
                },
              },
            },
            ImageSpec: { fields: { image: { type: "string", id: 1 } } },
            PullImageRequest: { fields: { image: { type: "ImageSpec", id: 1 } } },
            PullImageResponse: { fields: { image_ref: { type: "string", id: 1 } } },
            ImageStatusRequest: { fields: { image: { type: "ImageSpec", id: 1 } } },
            ImageStatusResponse: { fields: { image: { type: "Image", id: 1 } } },
            Image: {
              fields: {
                id: { type: "string", id: 1 },
                repo_tags: { rule: "repeated", type: "string", id: 2 },
                repo_digests: { rule: "repeated", type: "string", id: 3 },
                size: { type: "uint64", id: 4 },
              },
            },
          },
        },
      },
    },
  },
};

export interface CriImage {
  id: string;
  repo_tags: string[];
  repo_digests: string[];
  size: string;
}

/** CRI ImageService over gRPC, just PullImage and ImageStatus; errors carry the gRPC `code`. */
export class CriImages {
  readonly #client: grpc.Client;
  readonly #root = protobuf.Root.fromJSON(descriptor);

  constructor(socket: string) {
    this.#client = new grpc.Client(`unix://${socket}`, grpc.credentials.createInsecure());
  }

  #call<T>(method: string, req: object, timeoutMs = 60_000): Promise<T> {
    const reqType = this.#root.lookupType(`runtime.v1.${method}Request`);
    const resType = this.#root.lookupType(`runtime.v1.${method}Response`);
    return new Promise((resolve, reject) => {
      this.#client.makeUnaryRequest(
        `/runtime.v1.ImageService/${method}`,
        (r: object) => Buffer.from(reqType.encode(reqType.fromObject(r)).finish()),
        (b: Buffer) => resType.toObject(resType.decode(b), { longs: String, defaults: true }) as T,
        req,
        { deadline: Date.now() + timeoutMs },
        (err, res) => (err ? reject(err) : resolve(res as T)),
      );
    });
  }

  async pullImage(image: string): Promise<string> {
    return (await this.#call<{ image_ref: string }>("PullImage", { image: { image } })).image_ref;
  }

  /** The image, or null when containerd does not have it. */
  async imageStatus(image: string): Promise<CriImage | null> {
    return (await this.#call<{ image: CriImage | null }>("ImageStatus", { image: { image } }))
      .image;
  }

  close(): void {
    this.#client.close();
  }
}
