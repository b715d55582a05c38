/**
 * Child processes for benchmarks: `bosun` subcommands started quietly (their last stderr kept
 * for when one dies), their CPU and RSS read from /proc, and polling helpers.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Node } from "../src/api/generated/types.ts";
import type { RestClient } from "../src/client/rest-client.ts";

const bosun = fileURLToPath(new URL("../bin/bosun.js", import.meta.url));

/** Children still running when the benchmark exits (even by a crash) are killed with it. */
const children = new Set<ChildProcess>();
process.once("exit", () => {
  for (const c of children) c.kill("SIGKILL");
});

export interface BenchProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  /** SIGTERM, then SIGKILL after 30 s; resolves once it has exited. */
  stop(): Promise<void>;
}

/** Starts `bosun <args>` (with Node flags such as `--cpu-prof` before the script). */
export async function startBosun(
  args: readonly string[],
  nodeFlags: readonly string[] = [],
): Promise<BenchProcess> {
  const child = spawn(process.execPath, [...nodeFlags, bosun, ...args], {
    stdio: ["ignore", "ignore", "pipe"],
    env: { ...process.env, BOSUN_LOG_LEVEL: "error" },
  });
  children.add(child);
  child.once("exit", () => children.delete(child));
  let err = "";
  child.stderr!.on("data", (d: Buffer) => {
    err = (err + d.toString()).slice(-4000);
  });
  child.once("exit", (code, signal) => {
    if (code) console.error(`bosun ${args[0]} exited ${code ?? signal}: ${err}`);
  });
  await new Promise<void>((resolve, reject) => {
    child.once("spawn", resolve);
    child.once("error", reject);
  });
  return {
    child,
    pid: child.pid!,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((r) => child.once("exit", () => r()));
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

export interface Usage {
  readonly rssMiB: number;
  /** The private part of RSS (heap, stacks, malloc): what the process itself costs. */
  readonly anonMiB: number;
  /** File pages in RSS: the executable's and libraries' code, shared with other processes. */
  readonly fileMiB: number;
  readonly cpuSeconds: number;
  /** The part of cpuSeconds spent in the kernel. */
  readonly systemSeconds: number;
  /** Page faults served without I/O (fresh or released pages touched again): on a guest with
   * costly page tables, a real share of the kernel time. */
  readonly minorFaults: number;
}

/** RSS in MiB (and its private and file-backed parts) and CPU seconds (user + system), from /proc. */
export function usage(pid: number): Usage {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kib = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
    const rss = kib("VmRSS") / 1024;
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return {
      rssMiB: rss,
      anonMiB: kib("RssAnon") / 1024,
      fileMiB: kib("RssFile") / 1024,
      cpuSeconds: (Number(fields[11]) + Number(fields[12])) / 100,
      systemSeconds: Number(fields[12]) / 100,
      minorFaults: Number(fields[7]),
    };
  } catch {
    const nan = Number.NaN;
    return {
      rssMiB: nan,
      anonMiB: nan,
      fileMiB: nan,
      cpuSeconds: nan,
      systemSeconds: nan,
      minorFaults: nan,
    };
  }
}

/** Polls `check` every 100 ms until it returns a truthy value, which it returns. */
export async function until<T>(
  what: string,
  ms: number,
  check: () => Promise<T>,
): Promise<Exclude<T, false | undefined | null | 0 | "">> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value as Exclude<T, false | undefined | null | 0 | "">;
    if (Date.now() > deadline) throw new Error(`${what}: not reached in ${ms / 1000} s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Waits until `count` nodes report Ready=True. */
export async function waitForReadyNodes(client: RestClient, count: number): Promise<void> {
  await until(`${count} Ready nodes`, 300_000, async () => {
    const nodes = await client.get<{ items: Node[] }>("/api/v1/nodes");
    const ready = nodes.items.filter((n) =>
      (n.status?.conditions ?? []).some((c) => c.type === "Ready" && c.status === "True"),
    );
    return ready.length >= count;
  });
}
