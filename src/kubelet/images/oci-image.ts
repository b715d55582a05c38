/**
 * OCI images built in memory from a list of files: one gzip layer, an image config, a manifest,
 * and an OCI image layout (directory or tar archive) holding one or more of them. Building is
 * reproducible (fixed times, root ownership, stable order), so the same inputs give the same
 * manifest digest and "is it already imported?" is a digest comparison.
 *
 * Archives name each image with both `io.containerd.image.name` (the full reference, which
 * `ctr images import` uses as is) and `org.opencontainers.image.ref.name` (the tag, which skopeo's
 * `oci:` transport looks up).
 */
import { createHash } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { normalizeImageReference, parseImageReference } from "./reference.ts";
import { type TarEntry, writeTar } from "./tar.ts";

export const MEDIA_TYPE_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
export const MEDIA_TYPE_INDEX = "application/vnd.oci.image.index.v1+json";
export const MEDIA_TYPE_CONFIG = "application/vnd.oci.image.config.v1+json";
export const MEDIA_TYPE_LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip";
export const ANNOTATION_IMAGE_NAME = "io.containerd.image.name";
export const ANNOTATION_REF_NAME = "org.opencontainers.image.ref.name";

const EPOCH = "1970-01-01T00:00:00Z";

/** The runtime settings of an image (the `config` object of the OCI image config). */
export interface ImageRuntimeConfig {
  readonly entrypoint?: readonly string[];
  readonly cmd?: readonly string[];
  readonly env?: readonly string[];
  readonly user?: string;
  readonly workingDir?: string;
  /** e.g. `80/tcp`. */
  readonly exposedPorts?: readonly string[];
  readonly stopSignal?: string;
  readonly labels?: Readonly<Record<string, string>>;
}

export interface Descriptor {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
  readonly annotations?: Record<string, string>;
  readonly platform?: { architecture: string; os: string };
}

export interface OciImage {
  /** Fully qualified references, e.g. `docker.io/library/nginx:1.27`. */
  readonly names: readonly string[];
  readonly manifest: Descriptor;
  /** Every blob by digest: layer, config and manifest. */
  readonly blobs: ReadonlyMap<string, Buffer>;
  /** Uncompressed size of the layer. */
  readonly unpackedSize: number;
}

export interface BuildImageOptions {
  readonly files: Iterable<TarEntry>;
  readonly config: ImageRuntimeConfig;
  /** References as a user writes them (`nginx:1.27`); stored normalised. */
  readonly names: readonly string[];
  /** GOARCH name; defaults to this machine's. */
  readonly architecture?: string;
}

export function sha256(data: Uint8Array): string {
  return `sha256:${createHash("sha256").update(data).digest("hex")}`;
}

/** The GOARCH name of this machine (`amd64`, `arm64`, …). */
export function goArch(arch: string = process.arch): string {
  const map: Record<string, string> = { x64: "amd64", ia32: "386", arm64: "arm64", arm: "arm" };
  return map[arch] ?? arch;
}

function json(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value));
}

/** Builds an image with one layer holding `files`. */
export function buildOciImage(options: BuildImageOptions): OciImage {
  const tar = writeTar(options.files);
  const layer = gzipSync(tar, { level: 6 });
  const c = options.config;
  const runtime: Record<string, unknown> = {};
  if (c.user !== undefined) runtime.User = c.user;
  if (c.exposedPorts?.length)
    runtime.ExposedPorts = Object.fromEntries(c.exposedPorts.map((p) => [p, {}]));
  runtime.Env = [
    ...(c.env ?? ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]),
  ];
  if (c.entrypoint) runtime.Entrypoint = [...c.entrypoint];
  if (c.cmd) runtime.Cmd = [...c.cmd];
  runtime.WorkingDir = c.workingDir ?? "/";
  if (c.labels) runtime.Labels = { ...c.labels };
  if (c.stopSignal) runtime.StopSignal = c.stopSignal;
  const architecture = options.architecture ?? goArch();
  const config = json({
    created: EPOCH,
    architecture,
    os: "linux",
    config: runtime,
    rootfs: { type: "layers", diff_ids: [sha256(tar)] },
    history: [{ created: EPOCH, created_by: "bosun image builder" }],
  });
  const manifest = json({
    schemaVersion: 2,
    mediaType: MEDIA_TYPE_MANIFEST,
    config: { mediaType: MEDIA_TYPE_CONFIG, digest: sha256(config), size: config.length },
    layers: [{ mediaType: MEDIA_TYPE_LAYER_GZIP, digest: sha256(layer), size: layer.length }],
  });
  const blobs = new Map<string, Buffer>([
    [sha256(layer), layer],
    [sha256(config), config],
    [sha256(manifest), manifest],
  ]);
  return {
    names: options.names.map(normalizeImageReference),
    manifest: {
      mediaType: MEDIA_TYPE_MANIFEST,
      digest: sha256(manifest),
      size: manifest.length,
      platform: { architecture, os: "linux" },
    },
    blobs,
    unpackedSize: tar.length,
  };
}

/** The index.json of a layout holding these images, one entry per name. */
export function ociIndex(images: readonly OciImage[]): Buffer {
  const manifests: Descriptor[] = [];
  for (const image of images) {
    for (const name of image.names) {
      const ref = parseImageReference(name);
      manifests.push({
        ...image.manifest,
        annotations: { [ANNOTATION_IMAGE_NAME]: name, [ANNOTATION_REF_NAME]: ref.tag ?? "latest" },
      });
    }
  }
  return json({ schemaVersion: 2, mediaType: MEDIA_TYPE_INDEX, manifests });
}

function layoutFiles(images: readonly OciImage[]): TarEntry[] {
  const entries: TarEntry[] = [
    { type: "file", path: "oci-layout", data: json({ imageLayoutVersion: "1.0.0" }) },
    { type: "file", path: "index.json", data: ociIndex(images) },
    { type: "dir", path: "blobs" },
    { type: "dir", path: "blobs/sha256" },
  ];
  const seen = new Set<string>();
  for (const image of images) {
    for (const [digest, data] of image.blobs) {
      if (seen.has(digest)) continue;
      seen.add(digest);
      entries.push({ type: "file", path: `blobs/sha256/${digest.slice(7)}`, data });
    }
  }
  return entries;
}

/** An OCI image layout as a tar archive, the format `ctr images import` and k3s airgap accept. */
export function ociArchive(images: readonly OciImage[]): Buffer {
  return writeTar(layoutFiles(images));
}

/**
 * Writes (or rewrites) an OCI image layout directory, for skopeo's `oci:<dir>:<tag>` transport.
 * Blobs already present are kept; index.json is replaced.
 */
export async function writeOciLayout(dir: string, images: readonly OciImage[]): Promise<void> {
  await mkdir(join(dir, "blobs", "sha256"), { recursive: true });
  for (const entry of layoutFiles(images)) {
    if (entry.type !== "file") continue;
    const path = join(dir, entry.path);
    if (entry.path.startsWith("blobs/")) {
      const existing = await readFile(path).catch(() => undefined);
      if (existing && sha256(existing) === `sha256:${entry.path.slice(13)}`) continue;
    }
    await writeFile(path, entry.data);
  }
}
