/**
 * Where clusters live on the host: `<base>/<name>/` (base: `--state-dir`, else
 * `$BOSUN_CLUSTER_DIR`, else /var/lib/bosun/clusters). `cluster.json` is the layout `create`
 * decided (written once); `status.json` is what the supervisor last saw (written only by it).
 * A lock file serialises the few steps that look at every cluster (name and LAN allocation).
 */
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmdirSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { dirname, join, resolve } from "node:path";
import type { ClusterCgroups } from "./cgroups.ts";
import type { NodeStatus } from "./node-supervisor.ts";
import { type ClusterSpec, clusterFiles } from "./spec.ts";

export const defaultBaseDir = "/var/lib/bosun/clusters";

export function baseDir(flag?: string): string {
  return resolve(flag ?? process.env.BOSUN_CLUSTER_DIR ?? defaultBaseDir);
}

/** What `create` saves: the layout plus the host's cgroups it depends on. */
export interface SavedCluster extends ClusterSpec {
  readonly cgroups: ClusterCgroups;
}

export interface ClusterStatus {
  readonly supervisorPid: number;
  readonly updatedAt: string;
  readonly nodes: readonly NodeStatus[];
}

/** Writes JSON through a temporary file and a rename, so readers never see half a file. */
export function writeJSON(path: string, value: unknown, mode = 0o600): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(value, null, 2)}\n`, { mode });
  renameSync(tmp, path);
}

export function readCluster(base: string, name: string): SavedCluster | undefined {
  const file = clusterFiles(join(base, name)).spec;
  if (!existsSync(file)) return undefined;
  return JSON.parse(readFileSync(file, "utf8")) as SavedCluster;
}

export function readStatus(spec: ClusterSpec): ClusterStatus | undefined {
  try {
    return JSON.parse(readFileSync(clusterFiles(spec.dir).status, "utf8")) as ClusterStatus;
  } catch {
    return undefined;
  }
}

export function listClusters(base: string): SavedCluster[] {
  if (!existsSync(base)) return [];
  return readdirSync(base, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => readCluster(base, e.name))
    .filter((c): c is SavedCluster => c !== undefined)
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** Whether `pid` is alive and its command line contains every one of `words`. */
export function processMatches(pid: number | undefined, words: readonly string[]): boolean {
  if (!pid) return false;
  try {
    const argv = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
    return words.every((w) => argv.some((a) => a.includes(w)));
  } catch {
    return false;
  }
}

/** Runs `fn` holding `<base>/.lock` (a stale lock of a dead process is taken over). */
export async function withBaseLock<T>(base: string, fn: () => Promise<T> | T): Promise<T> {
  mkdirSync(base, { recursive: true, mode: 0o700 });
  const lock = join(base, ".lock");
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      const fd = openSync(lock, "wx", 0o600);
      writeFileSync(fd, String(process.pid));
      closeSync(fd);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      const holder = Number(readFileSync(lock, "utf8") || "0");
      if (holder && !processMatches(holder, [])) {
        rmSync(lock, { force: true });
        continue;
      }
      if (Date.now() > deadline) throw new Error(`${lock} is held by process ${holder}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(lock, { force: true });
  }
}

const hostRecord = (base: string) => join(base, "host.json");

/**
 * Makes the directories in `paths` that the host lacks (mount points for the nodes' private
 * copies) and records them, so that deleting the last cluster can take them away again.
 */
export function makeHostDirs(base: string, paths: readonly string[]): void {
  const made = new Set(readMadeDirs(base));
  const make = (dir: string) => {
    if (existsSync(dir)) return;
    make(dirname(dir));
    mkdirSync(dir, { mode: 0o755 });
    made.add(dir);
  };
  for (const p of paths) make(p);
  mkdirSync(base, { recursive: true, mode: 0o700 });
  writeJSON(hostRecord(base), { madeDirs: [...made] });
}

function readMadeDirs(base: string): string[] {
  try {
    return (JSON.parse(readFileSync(hostRecord(base), "utf8")) as { madeDirs: string[] }).madeDirs;
  } catch {
    return [];
  }
}

/** With no cluster left: removes the directories `makeHostDirs` made (if empty), and `base`. */
export function removeHostDirsIfUnused(base: string): void {
  if (listClusters(base).length > 0) return;
  const dirs = readMadeDirs(base).sort((a, b) => b.length - a.length);
  for (const dir of dirs) {
    try {
      rmdirSync(dir);
    } catch {
      // Not empty: something else put files there; leave it.
    }
  }
  rmSync(hostRecord(base), { force: true });
  try {
    rmdirSync(base);
  } catch {
    // Holds something else.
  }
}
