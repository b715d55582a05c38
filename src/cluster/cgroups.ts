/**
 * Per-node cgroups (node-networking reference, §6). cgroup v1 is global, so every node gets its
 * own root, `/bosun/<cluster>/<node>`, in every mounted hierarchy; the node's init joins
 * `<node>/init` before it execs, and everything it starts inherits that. Freezing the node's
 * root freezes the whole node (v1 `freezer.state`; v2 `cgroup.freeze`). Removal goes deepest
 * first once no process is left (stragglers are thawed and killed).
 */
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmdirSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";

export interface CgroupHierarchy {
  readonly mount: string;
  readonly version: 1 | 2;
  /** v1: the controllers (or `name=…`) the hierarchy carries; v2: none listed here. */
  readonly controllers: readonly string[];
}

export interface ClusterCgroups {
  /** The cluster's cgroup in every hierarchy; node N's root is `<dir>/<N>`. */
  readonly dirs: readonly string[];
  /** The cluster's cgroup in the hierarchy that freezes (v1 freezer, else v2), if any. */
  readonly freezer?: { readonly dir: string; readonly version: 1 | 2 };
}

/** cgroup hierarchies from /proc/self/mountinfo text. */
export function parseHierarchies(mountinfo: string): CgroupHierarchy[] {
  const out: CgroupHierarchy[] = [];
  for (const line of mountinfo.split("\n")) {
    const [left, right] = line.split(" - ");
    if (!left || !right) continue;
    const mount = left.split(" ")[4];
    const [fstype, , superOptions = ""] = right.split(" ");
    if (!mount || mount.includes("\\")) continue;
    if (fstype === "cgroup2") out.push({ mount, version: 2, controllers: [] });
    if (fstype === "cgroup") {
      const known = superOptions.split(",").filter((o) => o !== "rw" && o !== "ro");
      out.push({ mount, version: 1, controllers: known });
    }
  }
  return out;
}

/** A node's cgroup root as a path within every hierarchy (what `--cgroup-root` takes). */
export const nodeCgroupPath = (cluster: string, node: string): string =>
  `/bosun/${cluster}/${node}`;

export function clusterCgroups(hierarchies: readonly CgroupHierarchy[], cluster: string) {
  const dir = (h: CgroupHierarchy) => join(h.mount, "bosun", cluster);
  const v1 = hierarchies.find((h) => h.version === 1 && h.controllers.includes("freezer"));
  const v2 = hierarchies.find((h) => h.version === 2);
  const freezer = v1
    ? { dir: dir(v1), version: 1 as const }
    : v2 && existsSync(join(v2.mount, "cgroup.controllers"))
      ? { dir: dir(v2), version: 2 as const }
      : undefined;
  const cg: ClusterCgroups = { dirs: hierarchies.map(dir), ...(freezer ? { freezer } : {}) };
  return cg;
}

export function hostCgroups(cluster: string): ClusterCgroups {
  return clusterCgroups(parseHierarchies(readFileSync("/proc/self/mountinfo", "utf8")), cluster);
}

const read = (file: string) => {
  try {
    return readFileSync(file, "utf8").trim();
  } catch {
    return "";
  }
};

/** mkdir -p one level at a time, filling v1 cpusets (empty ones refuse tasks) and v2 controllers. */
function makeCgroup(dir: string): void {
  if (existsSync(dir)) return;
  const parent = join(dir, "..");
  makeCgroup(parent);
  mkdirSync(dir);
  for (const f of ["cpuset.cpus", "cpuset.mems"]) {
    const inherited = read(join(parent, f));
    if (inherited && existsSync(join(dir, f)) && read(join(dir, f)) === "") {
      writeFileSync(join(dir, f), inherited);
    }
  }
}

/** v2: lets the node's subtree use the controllers its parents have (no process lives above it). */
function delegateControllers(mount: string, path: string[]): void {
  let dir = mount;
  for (const part of path) {
    const available = read(join(dir, "cgroup.controllers")).split(/\s+/).filter(Boolean);
    const wanted = available.filter((c) => ["cpu", "cpuset", "memory", "pids", "io"].includes(c));
    if (wanted.length > 0 && dir !== mount) {
      try {
        writeFileSync(join(dir, "cgroup.subtree_control"), wanted.map((c) => `+${c}`).join(" "));
      } catch {
        // A hierarchy without those controllers (hybrid `unified`) is fine.
      }
    }
    dir = join(dir, part);
  }
}

export const nodeCgroupDirs = (cg: ClusterCgroups, node: string): string[] =>
  cg.dirs.map((d) => join(d, node));

/** The `cgroup.procs` files a node's init writes itself into. */
export const initProcsFiles = (cg: ClusterCgroups, node: string): string[] =>
  nodeCgroupDirs(cg, node).map((d) => join(d, "init", "cgroup.procs"));

export function createNodeCgroups(cg: ClusterCgroups, node: string): void {
  for (const dir of nodeCgroupDirs(cg, node)) {
    makeCgroup(join(dir, "init"));
    if (existsSync(join(dir, "cgroup.subtree_control"))) {
      const mount = join(dir, "..", "..", "..");
      delegateControllers(mount, ["bosun", dir.split("/").at(-2)!, node, "init"]);
    }
  }
}

function freezerFile(cg: ClusterCgroups, node: string): { file: string; version: 1 | 2 } {
  if (!cg.freezer) throw new Error("this kernel has no cgroup freezer (CONFIG_CGROUP_FREEZER)");
  const dir = join(cg.freezer.dir, node);
  return cg.freezer.version === 1
    ? { file: join(dir, "freezer.state"), version: 1 }
    : { file: join(dir, "cgroup.freeze"), version: 2 };
}

export function isFrozen(cg: ClusterCgroups, node: string): boolean {
  if (!cg.freezer) return false;
  const { file, version } = freezerFile(cg, node);
  if (version === 1) return read(file) === "FROZEN";
  return /^frozen 1$/m.test(read(join(file, "..", "cgroup.events")));
}

/** Freezes or thaws a node and waits (up to `timeoutMs`) until the kernel says it is done. */
export async function setFrozen(
  cg: ClusterCgroups,
  node: string,
  frozen: boolean,
  timeoutMs = 10_000,
): Promise<void> {
  const { file, version } = freezerFile(cg, node);
  if (!existsSync(file)) throw new Error(`node ${node} has no cgroup (${file})`);
  writeFileSync(file, version === 1 ? (frozen ? "FROZEN" : "THAWED") : frozen ? "1" : "0");
  const deadline = Date.now() + timeoutMs;
  while (isFrozen(cg, node) !== frozen) {
    if (Date.now() > deadline) {
      throw new Error(`node ${node} did not ${frozen ? "freeze" : "thaw"} in ${timeoutMs} ms`);
    }
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Every cgroup under (and including) `dir`, deepest first. */
function cgroupTree(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const children = readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .flatMap((e) => cgroupTree(join(dir, e.name)));
  return [...children, dir];
}

/** The processes in a cgroup and its descendants. */
export function cgroupPids(dir: string): number[] {
  const pids = new Set<number>();
  for (const d of cgroupTree(dir)) {
    for (const p of read(join(d, "cgroup.procs")).split("\n")) if (p) pids.add(Number(p));
  }
  return [...pids];
}

/** Processes of a node: its init and everything below it. */
export function nodePids(cg: ClusterCgroups, node: string): number[] {
  return [...new Set(nodeCgroupDirs(cg, node).flatMap(cgroupPids))];
}

/** Thaws, kills what is left and removes the cluster's cgroups in every hierarchy. */
export async function removeClusterCgroups(cg: ClusterCgroups, timeoutMs = 10_000): Promise<void> {
  if (cg.freezer && existsSync(cg.freezer.dir)) {
    for (const node of readdirSync(cg.freezer.dir, { withFileTypes: true })) {
      if (node.isDirectory() && isFrozen(cg, node.name)) await setFrozen(cg, node.name, false);
    }
  }
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const left = cg.dirs.flatMap(cgroupPids);
    if (left.length === 0) break;
    for (const pid of left) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // Already gone.
      }
    }
    if (Date.now() > deadline) throw new Error(`processes ${left.join(", ")} would not die`);
    await new Promise((r) => setTimeout(r, 20));
  }
  for (const dir of cg.dirs) {
    for (const d of cgroupTree(dir)) rmdirSync(d);
    const parent = join(dir, "..");
    if (existsSync(parent) && cgroupTree(parent).length === 1) {
      try {
        rmdirSync(parent);
      } catch {
        // Another cluster created a cgroup there meanwhile.
      }
    }
  }
}
