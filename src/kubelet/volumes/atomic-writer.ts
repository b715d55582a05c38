/**
 * Writes a volume's files so that a reader never sees a half-updated set (upstream
 * `pkg/volume/util/atomic_writer.go`): the files go to a fresh timestamped directory, a
 * `..data` symlink is swapped to it with one rename, and each top-level name is a symlink through
 * `..data`. An unchanged payload writes nothing. Used by configMap, secret, downwardAPI and
 * projected volumes, so that updates of the objects reach running containers in place.
 */
import { randomBytes } from "node:crypto";
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import { dirname, join, normalize } from "node:path";

export interface FileProjection {
  readonly data: Buffer;
  /** File mode, e.g. 0o644. */
  readonly mode: number;
}

const dataDirName = "..data";
const tmpDataDirName = "..data_tmp";

/** Rejects absolute paths, `..` components and names starting with `..` (as upstream). */
export function validatePath(path: string): void {
  if (path === "" || path.startsWith("/")) throw new Error(`invalid path: ${path}`);
  if (path.split("/").some((part) => part === "..")) {
    throw new Error(`invalid path: must not contain '..': ${path}`);
  }
  if (path.startsWith("..")) throw new Error(`invalid path: must not start with '..': ${path}`);
}

function sameContent(dir: string, payload: ReadonlyMap<string, FileProjection>): boolean {
  const listed = new Set<string>();
  const walk = (rel: string) => {
    for (const e of readdirSync(join(dir, rel), { withFileTypes: true })) {
      const p = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(p);
      else listed.add(p);
    }
  };
  walk("");
  if (listed.size !== payload.size) return false;
  for (const [path, file] of payload) {
    const full = join(dir, path);
    if (!listed.has(path)) return false;
    if ((statSync(full).mode & 0o777) !== file.mode) return false;
    if (!readFileSync(full).equals(file.data)) return false;
  }
  return true;
}

function timestampDirName(now: Date): string {
  const p = (n: number, w = 2) => String(n).padStart(w, "0");
  return `..${now.getUTCFullYear()}_${p(now.getUTCMonth() + 1)}_${p(now.getUTCDate())}_${p(
    now.getUTCHours(),
  )}_${p(now.getUTCMinutes())}_${p(now.getUTCSeconds())}.${randomBytes(5).toString("hex")}`;
}

/** Writes `payload` (relative path → file) into `dir`; returns whether anything changed. */
export function writeAtomic(dir: string, payload: ReadonlyMap<string, FileProjection>): boolean {
  for (const path of payload.keys()) validatePath(path);
  mkdirSync(dir, { recursive: true });
  const dataLink = join(dir, dataDirName);
  let oldTsDir: string | undefined;
  if (existsSync(dataLink)) {
    oldTsDir = readlinkSync(dataLink);
    if (sameContent(join(dir, oldTsDir), payload)) return false;
  }
  const tsName = timestampDirName(new Date());
  const tsDir = join(dir, tsName);
  mkdirSync(tsDir, { mode: 0o755 });
  for (const [path, file] of payload) {
    const full = join(tsDir, normalize(path));
    mkdirSync(dirname(full), { recursive: true, mode: 0o755 });
    writeFileSync(full, file.data, { mode: file.mode });
    chmodSync(full, file.mode); // the umask must not narrow the requested mode
  }
  const tmpLink = join(dir, tmpDataDirName);
  rmSync(tmpLink, { force: true });
  symlinkSync(tsName, tmpLink);
  renameSync(tmpLink, dataLink);
  const top = new Set([...payload.keys()].map((p) => p.split("/")[0]!));
  for (const name of top) {
    const link = join(dir, name);
    if (!existsSync(link) && !isSymlink(link)) symlinkSync(join(dataDirName, name), link);
  }
  for (const name of readdirSync(dir)) {
    if (name.startsWith("..") || top.has(name)) continue;
    if (isSymlink(join(dir, name))) unlinkSync(join(dir, name));
  }
  if (oldTsDir && oldTsDir !== tsName)
    rmSync(join(dir, oldTsDir), { recursive: true, force: true });
  return true;
}

function isSymlink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}
