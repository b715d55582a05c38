/**
 * The node's image store as the airgap and pause-image code needs it: list images with their
 * manifest digests and labels, import an image archive, label an image. `CtrImageStore` drives
 * containerd through its own `ctr` CLI (`ctr -a <socket> -n k8s.io images …`): importing needs
 * containerd's content and image APIs, not CRI, and `ctr` is installed with containerd on every
 * distribution. Tests use `FakeImageStore`.
 */
import { spawn } from "node:child_process";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";

/** Label put on images imported from an airgap archive: the sha256 of that archive. */
export const ARCHIVE_DIGEST_LABEL = "io.bosun.image-archive";

export interface StoredImage {
  /** Reference, e.g. `docker.io/library/nginx:1.27` (never the `sha256:` IDs CRI adds). */
  readonly name: string;
  /** Digest of the manifest (or index) the name points at. */
  readonly digest: string;
  readonly labels: Readonly<Record<string, string>>;
}

export interface ImageStore {
  list(): Promise<StoredImage[]>;
  /** Imports an OCI or docker archive (tar); returns the names it created or updated. */
  importArchive(archive: Buffer | Readable): Promise<string[]>;
  /** Adds or replaces labels on an image. */
  label(name: string, labels: Readonly<Record<string, string>>): Promise<void>;
}

export interface CtrOptions {
  /** containerd's gRPC socket path (with or without `unix://`). */
  readonly socket: string;
  /** containerd namespace; CRI only sees `k8s.io`. */
  readonly namespace?: string;
  /** Path of `ctr`; defaults to `ctr` on PATH. */
  readonly ctrPath?: string;
  /** Kills a ctr command that runs longer (default 10 minutes: large archives take a while). */
  readonly timeoutMs?: number;
}

export class ImageStoreError extends Error {
  override name = "ImageStoreError";
}

export class CtrImageStore implements ImageStore {
  readonly #options: CtrOptions;

  constructor(options: CtrOptions) {
    this.#options = options;
  }

  async list(): Promise<StoredImage[]> {
    const out = await this.#ctr(["images", "ls"]);
    return parseCtrImageList(out);
  }

  async importArchive(archive: Buffer | Readable): Promise<string[]> {
    const out = await this.#ctr(["images", "import", "-"], archive);
    return [...out.matchAll(/^unpacking (\S+) \(sha256:[0-9a-f]{64}\)/gm)].map((m) => m[1]!);
  }

  async label(name: string, labels: Readonly<Record<string, string>>): Promise<void> {
    const pairs = Object.entries(labels).map(([k, v]) => `${k}=${v}`);
    await this.#ctr(["images", "label", name, ...pairs]);
  }

  #ctr(args: readonly string[], input?: Buffer | Readable): Promise<string> {
    const o = this.#options;
    const address = o.socket.replace(/^unix:\/\//, "");
    const full = ["--address", address, "--namespace", o.namespace ?? "k8s.io", ...args];
    return new Promise((resolve, reject) => {
      const child = spawn(o.ctrPath ?? "ctr", full, { stdio: ["pipe", "pipe", "pipe"] });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
      child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
      const timer = setTimeout(() => child.kill("SIGKILL"), o.timeoutMs ?? 600_000);
      child.once("error", (err) => {
        clearTimeout(timer);
        reject(
          new ImageStoreError(`cannot run ${o.ctrPath ?? "ctr"}: ${err.message}`, { cause: err }),
        );
      });
      child.once("close", (code, signal) => {
        clearTimeout(timer);
        if (code === 0) resolve(stdout);
        else {
          const why = stderr.trim().replace(/^ctr: /gm, "") || `exit ${code ?? signal}`;
          reject(new ImageStoreError(`ctr ${args.slice(0, 2).join(" ")}: ${why}`));
        }
      });
      // A failed import closes stdin early; that EPIPE is reported through the exit status.
      child.stdin.on("error", () => {});
      if (input === undefined) child.stdin.end();
      else if (Buffer.isBuffer(input)) child.stdin.end(input);
      else pipeline(input, child.stdin).catch((err: unknown) => child.stdin.destroy(err as Error));
    });
  }
}

/**
 * Parses `ctr images ls`: REF TYPE DIGEST SIZE(two words) PLATFORMS LABELS. Rows whose REF is a
 * bare `sha256:` ID (added by CRI) are skipped.
 */
export function parseCtrImageList(out: string): StoredImage[] {
  const images: StoredImage[] = [];
  for (const line of out.split("\n").slice(1)) {
    const cols = line.trim().split(/\s+/);
    if (cols.length < 4) continue;
    const name = cols[0]!;
    const digest = cols[2]!;
    if (name.startsWith("sha256:") || !digest.startsWith("sha256:")) continue;
    const rawLabels = cols[cols.length - 1]!;
    const labels: Record<string, string> = {};
    if (rawLabels !== "-") {
      for (const pair of rawLabels.split(",")) {
        const eq = pair.indexOf("=");
        if (eq > 0) labels[pair.slice(0, eq)] = pair.slice(eq + 1);
      }
    }
    images.push({ name, digest, labels });
  }
  return images;
}

/** An in-memory store for unit tests; `importArchive` is given the names it should report. */
export class FakeImageStore implements ImageStore {
  readonly images = new Map<string, StoredImage>();
  readonly imported: Buffer[] = [];
  /** Decides what an import yields; throw to simulate a corrupt archive. */
  onImport: (archive: Buffer) => StoredImage[] | Promise<StoredImage[]> = () => [];

  async list(): Promise<StoredImage[]> {
    return [...this.images.values()];
  }

  async importArchive(archive: Buffer | Readable): Promise<string[]> {
    const data = Buffer.isBuffer(archive) ? archive : Buffer.concat(await archive.toArray());
    this.imported.push(data);
    const result = await this.onImport(data);
    for (const image of result) {
      const labels = this.images.get(image.name)?.labels ?? {};
      this.images.set(image.name, { ...image, labels: { ...labels, ...image.labels } });
    }
    return result.map((i) => i.name);
  }

  async label(name: string, labels: Readonly<Record<string, string>>): Promise<void> {
    const image = this.images.get(name);
    if (!image) throw new ImageStoreError(`image "${name}": not found`);
    this.images.set(name, { ...image, labels: { ...image.labels, ...labels } });
  }
}
