/**
 * The node's containerd run dir (`/run/bosun/<id>`: state, socket, runc root) after containerd has
 * stopped. Pods outlive the agent, as upstream's kubelet leaves them (their shims keep their task
 * state here and a restarted containerd adopts them), so the dir stays while anything runs from
 * it; once nothing does, it is removed rather than left behind empty.
 */
import { readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";

export type RunDirOutcome = "removed" | "in use" | "absent";

export interface RunDirOptions {
  /** Mount points (default: this process's /proc/self/mountinfo). */
  readonly mounts?: () => readonly string[];
}

function entries(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/** Entries two levels down (`<namespace>/<id>`): one per task or container. */
function perNamespace(dir: string): string[] {
  return entries(dir).flatMap((ns) => entries(join(dir, ns)).map((id) => `${ns}/${id}`));
}

export function hostMounts(): string[] {
  return readFileSync("/proc/self/mountinfo", "utf8")
    .split("\n")
    .map((l) => (l.split(" ")[4] ?? "").replace(/\\040/g, " "))
    .filter(Boolean);
}

/** What still runs from the dir: shim tasks, runc containers, mounts (sandbox netns). */
export function runDirUsers(dir: string, options: RunDirOptions = {}): string[] {
  const tasks = perNamespace(join(dir, "state", "io.containerd.runtime.v2.task"));
  const containers = perNamespace(join(dir, "runc"));
  const mounts = (options.mounts ?? hostMounts)().filter((m) => m.startsWith(`${dir}/`));
  return [
    ...tasks.map((t) => `task ${t}`),
    ...containers.map((c) => `container ${c}`),
    ...mounts.map((m) => `mount ${m}`),
  ];
}

/** Removes the dir if containerd left nothing running from it (call after containerd exits). */
export function removeRunDirIfIdle(dir: string, options: RunDirOptions = {}): RunDirOutcome {
  if (!safeExists(dir)) return "absent";
  if (runDirUsers(dir, options).length > 0) return "in use";
  rmSync(dir, { recursive: true, force: true });
  return "removed";
}

function safeExists(dir: string): boolean {
  try {
    readdirSync(dir);
    return true;
  } catch {
    return false;
  }
}
