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

/** The mount operations the sweep needs (the kubelet's `SystemMounter` has them). */
export interface BundleMounter {
  /** Mount points at or below `dir`, deepest first. */
  mountPointsUnder(dir: string): Promise<string[]>;
  unmount(dir: string): Promise<void>;
}

export interface AbandonedTaskOptions {
  readonly mounter: BundleMounter;
  /** Pids of the shims started for task `id` of the containerd at `socket` (default: /proc). */
  readonly shims?: (socket: string, id: string) => number[];
  readonly kill?: (pid: number) => void;
}

/** A task bundle containerd began to delete and did not finish. */
export interface AbandonedTask {
  /** `<namespace>/<id>`. */
  readonly task: string;
  /** "half-removed": renamed to `.<id>` for removal; "container gone": runc deleted it. */
  readonly state: "half-removed" | "container gone";
  /** The shims that still served it and were killed. */
  readonly shims: readonly number[];
}

/** runc's default root, where a task created without runtime options keeps its state. */
const defaultRuncRoot = "/run/containerd/runc";

/** The runc root a task's shim uses (its bundle's `options.json`, else runc's default). */
function runcRootOf(bundle: string): string {
  try {
    const root = JSON.parse(readFileSync(join(bundle, "options.json"), "utf8")).root;
    return typeof root === "string" && root !== "" ? root : defaultRuncRoot;
  } catch {
    return defaultRuncRoot;
  }
}

/** Shims run as `containerd-shim-… -namespace N -id ID -address SOCKET`. */
export function shimPids(socket: string, id?: string): number[] {
  const pids: number[] = [];
  for (const pid of entries("/proc").filter((p) => /^\d+$/.test(p))) {
    let args: string[];
    try {
      args = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
    } catch {
      continue; // gone meanwhile
    }
    const flag = (name: string) => {
      const at = args.indexOf(name);
      return at >= 0 ? args[at + 1] : undefined;
    };
    if (!/containerd-shim/.test(args[0] ?? "") || flag("-address") !== socket) continue;
    if (id === undefined || flag("-id") === id) pids.push(Number(pid));
  }
  return pids;
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    // exited meanwhile
  }
}

/**
 * Finishes the task deletions a stopped containerd left half-done; call only while containerd is
 * not running (before it starts, after it stops). containerd deletes a task in steps: runc
 * deletes the container, the shim exits, the bundle is renamed `.<id>` and removed. Stopped in
 * between, it leaves a bundle whose container runc no longer has, with its shim still running,
 * or a hidden `.<id>` bundle. A restarted containerd reconnects to that shim, cannot get the
 * task's state and hides the task, so nothing would ever stop the shim; and it skips hidden
 * bundles. Either way the run dir could never be removed. A bundle whose runc container still
 * exists (a running or exited pod container) is containerd's and is left alone.
 */
export async function removeAbandonedTasks(
  dir: string,
  socket: string,
  options: AbandonedTaskOptions,
): Promise<AbandonedTask[]> {
  const shims = options.shims ?? shimPids;
  const kill = options.kill ?? killQuietly;
  const tasks = join(dir, "state", "io.containerd.runtime.v2.task");
  const removed: AbandonedTask[] = [];
  for (const namespace of entries(tasks)) {
    for (const entry of entries(join(tasks, namespace))) {
      const bundle = join(tasks, namespace, entry);
      const hidden = entry.startsWith(".");
      const id = hidden ? entry.slice(1) : entry;
      if (!hidden && safeExists(join(runcRootOf(bundle), namespace, id))) continue;
      const pids = shims(socket, id);
      for (const pid of pids) kill(pid);
      // Its own shim's socket only: a pod container's address is its sandbox's (shared) shim.
      if (pids.length > 0) removeShimSocket(bundle);
      for (const mount of await options.mounter.mountPointsUnder(bundle)) {
        await options.mounter.unmount(mount);
      }
      rmSync(bundle, { recursive: true, force: true });
      removed.push({
        task: `${namespace}/${id}`,
        state: hidden ? "half-removed" : "container gone",
        shims: pids,
      });
    }
  }
  return removed;
}

/** A killed shim leaves its ttrpc socket (the bundle's `address`, `unix:///run/containerd/s/…`). */
function removeShimSocket(bundle: string): void {
  try {
    const address = readFileSync(join(bundle, "address"), "utf8").trim();
    if (address.startsWith("unix:///run/containerd/s/")) {
      rmSync(address.slice("unix://".length), { force: true });
    }
  } catch {
    // no address: the shim never started
  }
}
