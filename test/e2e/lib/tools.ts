/**
 * Paths of the pinned kubectl and helm binaries the end-to-end tests run (never the system
 * kubectl). They live in <repo>/.tools/bin; when one is missing, `scripts/fetch-kube-tools` runs
 * once (it is idempotent and serialises concurrent runs with a lock) and fetches them.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

export type KubectlVersion = "1.34" | "1.32";
export type HelmMajor = 3 | 4;

const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));
const binDir = `${repoRoot}.tools/bin`;
const fetchScript = `${repoRoot}scripts/fetch-kube-tools`;

/** The kubectl binary of the given minor version (1.34: v1.34.5, 1.32: v1.32.3). */
export function kubectlPath(version: KubectlVersion): string {
  return ensureTool(`kubectl-${version}`);
}

/** The helm binary of the given major version (4: v4.1.4, 3: v3.17.2). */
export function helmPath(major: HelmMajor): string {
  return ensureTool(`helm-${major}`);
}

function ensureTool(name: string): string {
  const path = `${binDir}/${name}`;
  if (existsSync(path)) return path;
  const run = spawnSync(fetchScript, [], { stdio: ["ignore", "inherit", "inherit"] });
  if (run.error) throw new Error(`cannot run ${fetchScript}`, { cause: run.error });
  if (run.status !== 0 || !existsSync(path)) {
    throw new Error(`${fetchScript} exited with ${run.status ?? run.signal}; ${path} is missing`);
  }
  return path;
}
