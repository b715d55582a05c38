/**
 * Removal of a pod's cgroup after its sandbox is gone: containerd creates the `cgroup_parent`
 * directories of a sandbox (cgroupfs driver) but never removes them. On cgroup v1 the pod has a
 * directory in every hierarchy; on v2 one in the unified tree. A directory that still holds
 * processes cannot be removed (EBUSY) and is left for the next housekeeping pass.
 */
import { existsSync, readdirSync, rmdirSync } from "node:fs";
import { join } from "node:path";

export interface CgroupCleaner {
  /** Removes the cgroup `parent` (e.g. /kubepods/besteffort/pod<uid>) and its empty children. */
  remove(parent: string): void;
}

export class SysfsCgroupCleaner implements CgroupCleaner {
  readonly #root: string;

  constructor(root = "/sys/fs/cgroup") {
    this.#root = root;
  }

  #hierarchies(): string[] {
    if (existsSync(join(this.#root, "cgroup.controllers"))) return [this.#root];
    return readdirSync(this.#root, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => join(this.#root, e.name));
  }

  remove(parent: string): void {
    for (const h of this.#hierarchies()) removeTree(join(h, parent));
  }
}

/** rmdir depth-first; cgroup directories hold only pseudo-files, which rmdir ignores. */
function removeTree(dir: string): void {
  if (!existsSync(dir)) return;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.isDirectory()) removeTree(join(dir, e.name));
  }
  try {
    rmdirSync(dir);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== "ENOENT" && code !== "EBUSY") throw err;
  }
}
