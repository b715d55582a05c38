/**
 * Airgap images, as k3s does it: every image archive placed in `<data-dir>/agent/images/` is
 * imported into containerd's `k8s.io` namespace when the agent starts. Accepted: OCI image
 * layouts and `docker save` archives, as `.tar`, `.tar.gz`/`.tgz` or `.tar.zst`/`.tzst`.
 *
 * Each archive is read once to hash it and to learn the image names it holds (OCI
 * `io.containerd.image.name`/`org.opencontainers.image.ref.name`, docker `RepoTags`). Imported
 * images are labelled with the archive's sha256, so the next start skips an archive whose every
 * image is still present with that label, and re-imports one that changed or whose images were
 * removed. A corrupt archive is logged and reported, and the others are still imported: it never
 * stops the agent.
 */
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { PassThrough, type Readable } from "node:stream";
import { createGunzip, createZstdDecompress } from "node:zlib";
import { type Clock, realClock } from "../../machinery/clock.ts";
import { type Logger, silentLogger } from "../../machinery/log.ts";
import { ARCHIVE_DIGEST_LABEL, CtrImageStore, type ImageStore } from "./image-store.ts";
import { ANNOTATION_IMAGE_NAME, ANNOTATION_REF_NAME } from "./oci-image.ts";
import { InvalidReferenceError, normalizeImageReference } from "./reference.ts";
import { readTar } from "./tar.ts";

export { ARCHIVE_DIGEST_LABEL };

const COMPRESSION: ReadonlyArray<[RegExp, "none" | "gzip" | "zstd"]> = [
  [/\.tar$/, "none"],
  [/\.(tar\.gz|tgz)$/, "gzip"],
  [/\.(tar\.zst|tar\.zstd|tzst)$/, "zstd"],
];

export interface ImportImageTarballsOptions {
  readonly socket: string;
  readonly namespace?: string;
  readonly ctrPath?: string;
  /** Replaces the ctr-backed store (tests). */
  readonly store?: ImageStore;
  readonly log?: Logger;
  readonly clock?: Clock;
  /** How often a long import logs that it is still going (default 10 s). */
  readonly progressEveryMs?: number;
}

export interface TarballImportResult {
  readonly file: string;
  readonly status: "imported" | "skipped" | "failed";
  /** Image names the archive holds (as containerd stores them). */
  readonly names: readonly string[];
  readonly digest?: string;
  readonly error?: string;
  readonly ms: number;
}

interface ArchiveInfo {
  digest: string;
  names: string[];
}

function compressionOf(file: string): "none" | "gzip" | "zstd" | undefined {
  return COMPRESSION.find(([re]) => re.test(file))?.[1];
}

function decompressed(
  path: string,
  compression: "none" | "gzip" | "zstd",
  tap?: (b: Buffer) => void,
): Readable {
  const raw = createReadStream(path, { highWaterMark: 1 << 20 });
  if (tap) raw.on("data", (b) => tap(b as Buffer));
  if (compression === "none") return raw;
  const inflate = compression === "gzip" ? createGunzip() : createZstdDecompress();
  raw.on("error", (err) => inflate.destroy(err));
  return raw.pipe(inflate);
}

function normalizeOrKeep(name: string): string | undefined {
  try {
    return normalizeImageReference(name);
  } catch (err) {
    if (err instanceof InvalidReferenceError) return undefined;
    throw err;
  }
}

/** Hashes the file and reads the image names from index.json / manifest.json. */
async function inspectArchive(
  path: string,
  compression: "none" | "gzip" | "zstd",
): Promise<ArchiveInfo> {
  const hash = createHash("sha256");
  const stream = decompressed(path, compression, (b) => hash.update(b));
  const names = new Set<string>();
  let sawLayout = false;
  const keep = (p: string) => /^(\.\/)?(index\.json|manifest\.json)$/.test(p);
  for await (const entry of readTar(stream, keep)) {
    if (!entry.data) continue;
    sawLayout = true;
    const doc = JSON.parse(entry.data.toString("utf8")) as unknown;
    if (entry.path.endsWith("index.json")) {
      const manifests =
        (doc as { manifests?: { annotations?: Record<string, string> }[] }).manifests ?? [];
      for (const m of manifests) {
        const a = m.annotations ?? {};
        const full = a[ANNOTATION_IMAGE_NAME] ?? a[ANNOTATION_REF_NAME];
        const name = full && /[/:@]/.test(full) ? normalizeOrKeep(full) : undefined;
        if (name) names.add(name);
      }
    } else {
      for (const m of Array.isArray(doc) ? (doc as { RepoTags?: string[] }[]) : []) {
        for (const tag of m.RepoTags ?? []) {
          const name = normalizeOrKeep(tag);
          if (name) names.add(name);
        }
      }
    }
  }
  for await (const _ of stream) {
    // drain what follows the end-of-archive blocks so the hash covers the whole file
  }
  if (!sawLayout)
    throw new Error("not an image archive: no index.json (OCI) or manifest.json (docker)");
  return { digest: `sha256:${hash.digest("hex")}`, names: [...names].sort() };
}

/** Imports every image archive in `dir` (missing dir: nothing to do). Never throws for one bad file. */
export async function importImageTarballs(
  dir: string,
  options: ImportImageTarballsOptions,
): Promise<TarballImportResult[]> {
  const log = options.log ?? silentLogger;
  const clock = options.clock ?? realClock;
  const store =
    options.store ??
    new CtrImageStore({
      socket: options.socket,
      namespace: options.namespace ?? "k8s.io",
      ...(options.ctrPath ? { ctrPath: options.ctrPath } : {}),
    });
  let files: string[];
  try {
    files = (await readdir(dir)).sort();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw err;
  }
  const archives = files.filter((f) => {
    if (compressionOf(f)) return true;
    if (!f.startsWith(".")) log.debug("not an image archive, ignored", { file: join(dir, f) });
    return false;
  });
  if (archives.length === 0) return [];
  log.info("importing image archives", { dir, archives: archives.length });
  let present = await store.list();
  const results: TarballImportResult[] = [];
  for (const [i, file] of archives.entries()) {
    const path = join(dir, file);
    const started = clock.now();
    const ms = () => clock.now() - started;
    const fields = { file: path, archive: `${i + 1}/${archives.length}` };
    let info: ArchiveInfo | undefined;
    try {
      if (!(await stat(path)).isFile()) continue;
      info = await inspectArchive(path, compressionOf(file)!);
      const digest = info.digest;
      const byName = new Map(present.map((p) => [p.name, p]));
      const skip =
        info.names.length > 0 &&
        info.names.every((n) => byName.get(n)?.labels[ARCHIVE_DIGEST_LABEL] === digest);
      if (skip) {
        log.info("image archive already imported", { ...fields, images: info.names.length });
        results.push({ file: path, status: "skipped", names: info.names, digest, ms: ms() });
        continue;
      }
      const size = (await stat(path)).size;
      log.info("importing image archive", { ...fields, bytes: size, images: info.names.join(",") });
      const imported = await importWithProgress(
        path,
        file,
        size,
        store,
        log,
        clock,
        options.progressEveryMs,
      );
      const names = [...new Set([...info.names, ...imported])].sort();
      for (const name of names) await store.label(name, { [ARCHIVE_DIGEST_LABEL]: digest });
      present = await store.list();
      log.info("imported image archive", { ...fields, images: names.join(","), ms: ms() });
      results.push({ file: path, status: "imported", names, digest, ms: ms() });
    } catch (err) {
      const error = (err as Error).message;
      log.error("image archive not imported", { ...fields, err: error });
      results.push({
        file: path,
        status: "failed",
        names: info?.names ?? [],
        ...(info ? { digest: info.digest } : {}),
        error,
        ms: ms(),
      });
    }
  }
  return results;
}

async function importWithProgress(
  path: string,
  file: string,
  size: number,
  store: ImageStore,
  log: Logger,
  clock: Clock,
  everyMs = 10_000,
): Promise<string[]> {
  let read = 0;
  const counted = new PassThrough();
  const source = decompressed(path, compressionOf(file)!, (b) => (read += b.length));
  source.on("error", (err) => counted.destroy(err));
  source.pipe(counted);
  let timer = clock.after(everyMs, function tick() {
    log.info("still importing image archive", {
      file: path,
      percent: Math.floor((read / Math.max(size, 1)) * 100),
    });
    timer = clock.after(everyMs, tick);
  });
  try {
    return await store.importArchive(counted);
  } finally {
    timer.cancel();
  }
}
