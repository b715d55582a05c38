/**
 * Builds the test images (specs.ts) offline into a cache directory, rebuilding an image only when
 * its inputs change: the key is the sha256 of its uncompressed layer, runtime config, names and
 * the builder's own source, so a Debian upgrade of nginx rebuilds nginx and nothing else.
 *
 * Output per image, under `<cache>` (default `<repo>/.cache/images`, or $BOSUN_IMAGE_CACHE):
 *   oci/<repo>-<digest12>/   OCI layout, one ref per tag (skopeo `oci:<dir>:<tag>`)
 *   archives/<repo>.tar      OCI archive with full names (`ctr images import`, airgap dir)
 *   state/<repo>.json        the key and the result, for the next run
 * Writes go to temporary names and are renamed into place, so concurrent test processes can
 * build at once: the output is reproducible and the last rename wins with identical bytes.
 *
 * Run directly: `node test/images/build.ts [--cache DIR] [--force] [repo…]` (scripts/build-test-images).
 */
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { buildOciImage, ociArchive, writeOciLayout } from "../../src/kubelet/images/oci-image.ts";
import { writeTar } from "../../src/kubelet/images/tar.ts";
import { createLogger, type Logger, silentLogger } from "../../src/machinery/log.ts";
import { type TestImageSpec, testImageSpecs } from "./specs.ts";

const repoRoot = fileURLToPath(new URL("../../", import.meta.url));
export const defaultImageCache =
  process.env.BOSUN_IMAGE_CACHE ?? join(repoRoot, ".cache", "images");

export interface BuiltTestImage {
  /** `nginx`, `registry.k8s.io/pause`. */
  readonly repo: string;
  readonly tags: readonly string[];
  /** Fully qualified names (`docker.io/library/nginx:1.27`). */
  readonly names: readonly string[];
  /** Repository path in a registry (`nginx`, `pause`). */
  readonly registryPath: string;
  readonly layoutDir: string;
  readonly archive: string;
  readonly digest: string;
  /** Sizes in bytes: compressed layer + config + manifest, and the unpacked layer. */
  readonly size: number;
  readonly unpackedSize: number;
  /** False when the cached build was reused. */
  readonly rebuilt: boolean;
  readonly ms: number;
}

interface State {
  key: string;
  image: Omit<BuiltTestImage, "rebuilt" | "ms">;
}

export interface BuildTestImagesOptions {
  readonly cacheDir?: string;
  /** Only these repos (default all). */
  readonly only?: readonly string[];
  readonly force?: boolean;
  readonly log?: Logger;
}

const builderSource = (() => {
  const h = createHash("sha256");
  for (const f of [
    "src/kubelet/images/tar.ts",
    "src/kubelet/images/oci-image.ts",
    "test/images/build.ts",
  ]) {
    h.update(readFileSync(join(repoRoot, f)));
  }
  return h.digest("hex");
})();

function fileName(repo: string): string {
  return repo.replace(/[^a-zA-Z0-9.-]+/g, "_");
}

async function writeAtomic(path: string, data: Buffer | string): Promise<void> {
  const tmp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  await writeFile(tmp, data);
  await rename(tmp, path);
}

async function buildOne(
  spec: TestImageSpec,
  cache: string,
  force: boolean,
  log: Logger,
): Promise<BuiltTestImage> {
  const started = performance.now();
  const { files, config } = await spec.build();
  const names = spec.tags.map((t) => `${spec.repo}:${t}`);
  const key = createHash("sha256")
    .update(writeTar(files))
    .update(JSON.stringify({ config, names, builderSource }))
    .digest("hex");
  const statePath = join(cache, "state", `${fileName(spec.repo)}.json`);
  const state = JSON.parse(await readFile(statePath, "utf8").catch(() => "null")) as State | null;
  if (
    !force &&
    state?.key === key &&
    existsSync(state.image.layoutDir) &&
    existsSync(state.image.archive)
  ) {
    const ms = Math.round(performance.now() - started);
    log.debug("test image up to date", { image: spec.repo, ms });
    return { ...state.image, rebuilt: false, ms };
  }
  const image = buildOciImage({ files, config, names });
  const digest = image.manifest.digest;
  const layoutDir = join(cache, "oci", `${fileName(spec.repo)}-${digest.slice(7, 19)}`);
  if (!existsSync(join(layoutDir, "index.json"))) {
    const tmp = `${layoutDir}.${process.pid}.tmp`;
    await rm(tmp, { recursive: true, force: true });
    await writeOciLayout(tmp, [image]);
    await rename(tmp, layoutDir).catch(async (err: NodeJS.ErrnoException) => {
      await rm(tmp, { recursive: true, force: true });
      if (err.code !== "ENOTEMPTY" && err.code !== "EEXIST") throw err; // another process won
    });
  }
  const archive = join(cache, "archives", `${fileName(spec.repo)}.tar`);
  await writeAtomic(archive, ociArchive([image]));
  const size = [...image.blobs.values()].reduce((n, b) => n + b.length, 0);
  const registryPath = image.names[0]!.replace(/^[^/]+\//, "")
    .replace(/^library\//, "")
    .replace(/[:@].*$/, "");
  const built = {
    repo: spec.repo,
    tags: spec.tags,
    names: image.names,
    registryPath,
    layoutDir,
    archive,
    digest,
    size,
    unpackedSize: image.unpackedSize,
  };
  await writeAtomic(statePath, JSON.stringify({ key, image: built } satisfies State, null, 2));
  for (const old of readdirSync(join(cache, "oci"))) {
    const stale =
      old.startsWith(`${fileName(spec.repo)}-`) &&
      join(cache, "oci", old) !== layoutDir &&
      !old.endsWith(".tmp");
    if (stale) await rm(join(cache, "oci", old), { recursive: true, force: true });
  }
  const ms = Math.round(performance.now() - started);
  log.info("built test image", {
    image: spec.repo,
    tags: spec.tags.join(","),
    bytes: size,
    unpacked: image.unpackedSize,
    ms,
  });
  return { ...built, rebuilt: true, ms };
}

/** Builds (or reuses) the test images; fails with the missing host file named if a package is absent. */
export async function buildTestImages(
  options: BuildTestImagesOptions = {},
): Promise<BuiltTestImage[]> {
  const cache = options.cacheDir ?? defaultImageCache;
  const log = options.log ?? silentLogger;
  for (const d of ["oci", "archives", "state"]) await mkdir(join(cache, d), { recursive: true });
  const specs = testImageSpecs.filter((s) => !options.only || options.only.includes(s.repo));
  const out: BuiltTestImage[] = [];
  for (const spec of specs) {
    try {
      out.push(await buildOne(spec, cache, options.force ?? false, log));
    } catch (err) {
      const hint =
        (err as NodeJS.ErrnoException).code === "ENOENT"
          ? " (run scripts/install-deps --test)"
          : "";
      throw new Error(`building test image ${spec.repo}: ${(err as Error).message}${hint}`, {
        cause: err,
      });
    }
  }
  return out;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { values, positionals } = parseArgs({
    options: { cache: { type: "string" }, force: { type: "boolean" } },
    allowPositionals: true,
  });
  const started = performance.now();
  const images = await buildTestImages({
    ...(values.cache ? { cacheDir: values.cache } : {}),
    ...(positionals.length ? { only: positionals } : {}),
    force: values.force ?? false,
    log: createLogger("test-images"),
  });
  for (const i of images) {
    const mb = (n: number) => `${(n / 1048576).toFixed(1)} MB`;
    console.log(
      `${i.repo.padEnd(22)} ${mb(i.size).padStart(8)} (${mb(i.unpackedSize)} unpacked) ${String(i.ms).padStart(5)} ms ${i.rebuilt ? "built" : "cached"}  ${i.archive}`,
    );
  }
  console.log(`test images ready in ${Math.round(performance.now() - started)} ms`);
}
