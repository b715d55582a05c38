/**
 * The pod sandbox ("pause") image, built on the node from Debian's statically linked `catatonit`
 * in its pause mode (`-P`: no child, reaps zombies, exits 0 on SIGTERM/SIGINT, also as PID 1)
 * and imported into containerd under the name upstream uses, so no node ever pulls it.
 *
 * The build is reproducible, so `ensurePauseImage` compares the manifest digest it would import
 * with the one containerd holds and imports only when they differ (first start, or catatonit
 * upgraded). A run where the image is present costs one `ctr images ls` plus ~30 ms of hashing.
 * An image of that name imported from an airgap archive (a real upstream pause) is kept.
 */
import { access, readFile } from "node:fs/promises";
import type { Logger } from "../../machinery/log.ts";
import { silentLogger } from "../../machinery/log.ts";
import { ARCHIVE_DIGEST_LABEL, CtrImageStore, type ImageStore } from "./image-store.ts";
import { buildOciImage, type ImageRuntimeConfig, type OciImage, ociArchive } from "./oci-image.ts";
import type { TarEntry } from "./tar.ts";

/** The sandbox image of upstream Kubernetes 1.34 (kubeadm's PauseVersion). */
export const PAUSE_IMAGE = "registry.k8s.io/pause:3.10.1";

/** Where distributions install catatonit (Debian/Ubuntu first). */
export const CATATONIT_PATHS = [
  "/usr/bin/catatonit",
  "/usr/libexec/catatonit/catatonit",
  "/usr/libexec/podman/catatonit",
] as const;

export interface PauseImageOptions {
  /** Path of a static catatonit; defaults to the first of CATATONIT_PATHS that exists. */
  readonly catatonitPath?: string;
  /** Name to import under; defaults to PAUSE_IMAGE. */
  readonly image?: string;
}

export interface EnsurePauseImageOptions extends PauseImageOptions {
  /** containerd's socket. */
  readonly socket: string;
  /** containerd namespace; CRI reads `k8s.io`. */
  readonly namespace?: string;
  readonly ctrPath?: string;
  /** Replaces the ctr-backed store (tests). */
  readonly store?: ImageStore;
  readonly log?: Logger;
}

export class PauseImageError extends Error {
  override name = "PauseImageError";
}

async function findCatatonit(explicit: string | undefined): Promise<string> {
  const candidates = explicit ? [explicit] : CATATONIT_PATHS;
  for (const path of candidates) {
    try {
      await access(path);
      return path;
    } catch {}
  }
  throw new PauseImageError(
    `catatonit not found (looked in ${candidates.join(", ")}); install it (apt-get install catatonit)`,
  );
}

/** The pause image's single file and runtime config: `/pause` (catatonit) run as 65535 with `-P`. */
export async function pauseImageContents(
  options: PauseImageOptions = {},
): Promise<{ files: TarEntry[]; config: ImageRuntimeConfig }> {
  const binary = await readFile(await findCatatonit(options.catatonitPath));
  return {
    files: [{ type: "file", path: "pause", data: binary, mode: 0o755 }],
    config: { entrypoint: ["/pause", "-P"], user: "65535:65535", env: [] },
  };
}

/** Builds the pause image in memory. */
export async function buildPauseImage(options: PauseImageOptions = {}): Promise<OciImage> {
  return buildOciImage({
    ...(await pauseImageContents(options)),
    names: [options.image ?? PAUSE_IMAGE],
  });
}

/**
 * Makes sure containerd holds the locally built pause image; returns its reference (pass it as
 * containerd's `sandbox_image`). Idempotent; throws PauseImageError if it cannot.
 */
export async function ensurePauseImage(options: EnsurePauseImageOptions): Promise<string> {
  const log = options.log ?? silentLogger;
  const store =
    options.store ??
    new CtrImageStore({
      socket: options.socket,
      namespace: options.namespace ?? "k8s.io",
      ...(options.ctrPath ? { ctrPath: options.ctrPath } : {}),
    });
  const started = performance.now();
  const image = await buildPauseImage(options);
  const name = image.names[0]!;
  const present = (await store.list()).find((i) => i.name === name);
  if (present?.digest === image.manifest.digest) {
    log.debug("pause image present", { image: name, digest: image.manifest.digest });
    return name;
  }
  if (present?.labels[ARCHIVE_DIGEST_LABEL]) {
    log.info("pause image provided by an airgap archive, kept", {
      image: name,
      digest: present.digest,
    });
    return name;
  }
  try {
    await store.importArchive(ociArchive([image]));
  } catch (err) {
    throw new PauseImageError(`importing ${name}: ${(err as Error).message}`, { cause: err });
  }
  log.info("pause image imported", {
    image: name,
    digest: image.manifest.digest,
    replaced: present?.digest ?? "none",
    ms: Math.round(performance.now() - started),
  });
  return name;
}
