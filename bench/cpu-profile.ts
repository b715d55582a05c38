/**
 * Time per component of one process's main thread, from a V8 `.cpuprofile` (`node --cpu-prof`).
 * Samples say what the thread was running, not whether the kernel gave it a core, so on a busy
 * machine their sum exceeds the process's CPU time. Every sample is charged to the innermost
 * frame of Bosun's own source on its stack (`src/<folder>/`), so time in a library or in Node's
 * internals counts for the Bosun code that called it. Samples with no Bosun frame (socket reads,
 * TLS, timers firing) are Node's own; GC and idle are apart. The controller manager, scheduler
 * and API server share one process, so this is how the benchmark splits their work.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}

interface Profile {
  startTime: number;
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** The folders under src/ and the component names the benchmark prints for them. */
const componentOf: Record<string, string> = {
  apiserver: "apiserver",
  storage: "storage",
  api: "apiserver (kinds: defaults, validation)",
  controllers: "controller-manager",
  scheduler: "scheduler",
  client: "client library (controllers + scheduler)",
  machinery: "machinery (shared)",
  pki: "pki",
  cli: "cli",
  kubelet: "kubelet",
};

function componentOfFrame(node: ProfileNode): string | undefined {
  const { url, functionName } = node.callFrame;
  if (functionName === "(garbage collector)") return "GC";
  if (functionName === "(idle)") return "idle";
  if (functionName === "(program)") return "V8/Node (program)";
  const m = /\/src\/([a-z-]+)\//.exec(url);
  if (!m) return undefined;
  return componentOf[m[1]!] ?? `src/${m[1]}`;
}

/**
 * The system's monotonic clock in microseconds, the clock V8 stamps samples with, so another
 * process's profile can be cut to a window this process measured.
 */
export const monotonicMicros = (): number => Number(process.hrtime.bigint() / 1000n);

/** Seconds of CPU per component in the window (all of the profile without one), largest first. */
export function cpuByComponent(
  profile: Profile,
  window?: { fromUs: number; toUs: number },
): Array<{ component: string; seconds: number }> {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const cache = new Map<number, string>();
  const resolve = (id: number): string => {
    const hit = cache.get(id);
    if (hit) return hit;
    const path: number[] = [];
    let cur: number | undefined = id;
    let found: string | undefined;
    while (cur !== undefined) {
      const known = cache.get(cur);
      if (known) {
        found = known;
        break;
      }
      path.push(cur);
      found = componentOfFrame(byId.get(cur)!);
      if (found) break;
      cur = parent.get(cur);
    }
    const result = found ?? "Node internals (sockets, TLS, timers)";
    // Only the frames below the one that decided share its answer.
    for (const p of path) cache.set(p, result);
    return result;
  };
  const totals = new Map<string, number>();
  let t = profile.startTime;
  profile.samples.forEach((id, i) => {
    const delta = profile.timeDeltas[i] ?? 0;
    t += delta;
    if (window && (t < window.fromUs || t > window.toUs)) return;
    const c = resolve(id);
    totals.set(c, (totals.get(c) ?? 0) + delta / 1e6);
  });
  totals.delete("idle");
  return [...totals]
    .map(([component, seconds]) => ({ component, seconds }))
    .sort((a, b) => b.seconds - a.seconds);
}

/**
 * Reads the `.cpuprofile`s a process wrote into `dir`: its main thread's and its worker threads'
 * (Node names them `CPU.<date>.<time>.<pid>.<thread id>.<seq>.cpuprofile`; the main thread is 0).
 */
export function readProfiles(dir: string): { main?: Profile; workers: Profile[] } {
  const out: { main?: Profile; workers: Profile[] } = { workers: [] };
  for (const file of readdirSync(dir).filter((f) => f.endsWith(".cpuprofile"))) {
    const profile = JSON.parse(readFileSync(join(dir, file), "utf8")) as Profile;
    if (file.split(".").at(-3) === "0") out.main = profile;
    else out.workers.push(profile);
  }
  return out;
}
