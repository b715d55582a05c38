/**
 * One server per data dir: a pid file created exclusively, taken over only when the process
 * that wrote it is gone (`machinery/pid-lock.ts`).
 */
import { join } from "node:path";
import { type PidLock, tryPidLock } from "../machinery/pid-lock.ts";

export type DataDirLock = PidLock;

export function acquireDataDirLock(dir: string): DataDirLock {
  const lock = tryPidLock(join(dir, "bosun.pid"));
  if (lock && "owner" in lock) {
    throw new Error(`data dir ${dir} is in use by another bosun process (pid ${lock.owner})`);
  }
  if (!lock) throw new Error(`cannot lock data dir ${dir}`);
  return lock;
}
