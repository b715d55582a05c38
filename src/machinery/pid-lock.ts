/**
 * A lock held by a process: a pid file created exclusively, taken over only when the process
 * that wrote it is gone (or is this one). One server per data dir uses it, and so do the e2e
 * tests that put one node at a time on the host.
 */
import { closeSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";

export interface PidLock {
  release(): void;
}

/** Whether a process with this pid exists (one we may not signal counts). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Takes the lock, or says which live process holds it; undefined when another process took it
 * over at the same moment twice.
 */
export function tryPidLock(path: string): PidLock | { owner: number } | undefined {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, "wx", 0o600);
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      return { release: () => rmSync(path, { force: true }) };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      let pid = 0;
      try {
        pid = Number(readFileSync(path, "utf8").trim());
      } catch {
        // removed meanwhile: try again
      }
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && processAlive(pid)) {
        return { owner: pid };
      }
      rmSync(path, { force: true });
    }
  }
  return undefined;
}
