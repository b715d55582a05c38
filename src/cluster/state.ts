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
  statSync,
  writeFileSync,
} from "node:fs";
import { dirname, join, resolve } from "node:path";
import type { ClusterCgroups } from "./cgroups.ts";
import type { NodeStatus } from "./node-supervisor.ts";
import { type ClusterSpec, clusterFiles } from "./spec.ts";

export const defaultBaseDir = "/var/lib/bosun/clusters";

export function baseDir(flag?: string): string {
  const dir = resolve(flag ?? process.env.BOSUN_CLUSTER_DIR ?? defaultBaseDir);
  if (existsSync(dir) && !statSync(dir).isDirectory()) {
    throw new Error(`state dir ${dir} is not usable: not a directory`);
  }
  return dir;
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

/**
 * Runs `fn` holding the lock file `lock` (created exclusively; a stale lock of a dead process is
 * taken over). Waits up to 30 s for another holder.
 */
export async function withLock<T>(lock: string, fn: () => Promise<T> | T): Promise<T> {
  mkdirSync(dirname(lock), { recursive: true, mode: 0o700 });
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

/**
 * The lock every `create` on this host takes while it picks a LAN and builds it: LANs, links and
 * namespaces are host-wide, whatever state directory each cluster uses.
 */
export const hostLockFile = (base: string): string =>
  existsSync("/run/lock") ? "/run/lock/bosun-cluster.lock" : join(base, ".lock");

/**
 * Where the mount points `create` had to make on the host are recorded: beside the host lock,
 * because clusters of every state directory share them.
 */
export const hostDirsRecord = (base: string): string =>
  existsSync("/run/lock") ? "/run/lock/bosun-cluster-dirs.json" : join(base, "host-dirs.json");

/**
 * Makes the directories in `paths` that the host lacks (mount points for the nodes' private
 * copies) and records them, so that deleting the last cluster can take them away again.
 */
export function makeHostDirs(record: string, paths: readonly string[]): void {
  const made = new Set(readMadeDirs(record));
  const make = (dir: string) => {
    if (existsSync(dir)) return;
    make(dirname(dir));
    mkdirSync(dir, { mode: 0o755 });
    made.add(dir);
  };
  for (const p of paths) make(p);
  mkdirSync(dirname(record), { recursive: true, mode: 0o700 });
  writeJSON(record, { madeDirs: [...made] });
}

function readMadeDirs(record: string): string[] {
  try {
    return (JSON.parse(readFileSync(record, "utf8")) as { madeDirs: string[] }).madeDirs;
  } catch {
    return [];
  }
}

/** Whether any local cluster's node still exists on this host (its network namespace). */
export const anyClusterNamespace = (): boolean =>
  existsSync("/run/netns") && readdirSync("/run/netns").some((n) => n.startsWith("bosun-"));

/**
 * Once no cluster is left (`inUse` false): removes the directories `makeHostDirs` made, if
 * empty (a node's mount over one lives in its own namespace; removing it then would detach it).
 */
export function removeHostDirsIfUnused(record: string, inUse: boolean): void {
  if (inUse) return;
  const dirs = readMadeDirs(record).sort((a, b) => b.length - a.length);
  for (const dir of dirs) {
    try {
      rmdirSync(dir);
    } catch {
      // Not empty: something else put files there; leave it.
    }
  }
  rmSync(record, { force: true });
}

/** The last lines of a log file ("" when there is none). */
export function readLogTail(path: string, lines = 5): string {
  try {
    return readFileSync(path, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "";
  }
}
