/**
 * Local clusters for end-to-end tests and benchmarks: `bosun cluster create` run as the user
 * runs it (state under a temp dir), kubectl against its kubeconfig, the cluster CLI, a probe of
 * whether an address answers at all, and a snapshot of the host to prove `delete` leaves nothing.
 * Needs root; `rootSkip` says why a test cannot run otherwise.
 */
import { execFile, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { RunResult } from "./server.ts";
import { kubectlPath } from "./tools.ts";

const bosun = fileURLToPath(new URL("../../../bin/bosun.js", import.meta.url));

/** Runs a command with stdin closed, collecting its output (killed after `timeoutMs`). */
function run(
  cmd: string,
  args: readonly string[],
  o: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      env: o.env ?? process.env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), o.timeoutMs ?? 60_000);
    child.once("error", reject);
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr });
    });
  });
}

/** Clusters a test did not delete (it failed or was cut short) go when the test process exits. */
const live = new Set<TestCluster>();
process.once("exit", () => {
  for (const c of live) {
    spawnSync(process.execPath, [bosun, "cluster", "delete", c.name, "--state-dir", c.stateDir]);
    rmSync(c.stateDir, { recursive: true, force: true });
  }
});

export const rootSkip =
  process.platform !== "linux" || process.getuid?.() !== 0
    ? "local clusters need root on Linux"
    : false;

export interface ClusterOptions {
  readonly workers?: number;
  readonly runtime?: "simulated" | "containerd";
  readonly args?: readonly string[];
  readonly timeoutMs?: number;
}

export class TestCluster {
  readonly name: string;
  readonly stateDir: string;
  readonly kubeconfig: string;
  createOutput = "";
  /** The host's link to the cluster LAN (read from cluster.json after create). */
  hostLink = "";

  private constructor(name: string, stateDir: string) {
    this.name = name;
    this.stateDir = stateDir;
    this.kubeconfig = join(stateDir, name, "kubeconfig");
  }

  /** Runs `bosun cluster create`; the cluster object is returned even when create failed. */
  static async create(prefix: string, o: ClusterOptions = {}): Promise<TestCluster> {
    const name = `${prefix}${process.pid.toString(36)}`;
    const cluster = new TestCluster(name, mkdtempSync(join(tmpdir(), "bosun-cluster-")));
    const r = await cluster.cli(
      [
        "create",
        "--name",
        name,
        "--workers",
        String(o.workers ?? 2),
        "--runtime",
        o.runtime ?? "simulated",
        ...(o.args ?? []),
      ],
      o.timeoutMs ?? 180_000,
    );
    cluster.createOutput = r.stderr;
    try {
      const spec = JSON.parse(readFileSync(join(cluster.stateDir, name, "cluster.json"), "utf8"));
      cluster.hostLink = spec.lan.hostLink;
    } catch {
      // create failed before saving its layout.
    }
    if (r.code !== 0) {
      await cluster.delete();
      throw new Error(`bosun cluster create exited ${r.code}:\n${r.stderr}`);
    }
    live.add(cluster);
    return cluster;
  }

  /** `bosun cluster <args> --state-dir <dir>`. */
  cli(args: readonly string[], timeoutMs = 60_000): Promise<RunResult> {
    return run(process.execPath, [bosun, "cluster", ...args, "--state-dir", this.stateDir], {
      timeoutMs,
    });
  }

  async node(action: string, node: string): Promise<void> {
    const r = await this.cli(["node", action, node, "--name", this.name]);
    if (r.code !== 0) throw new Error(`cluster node ${action} ${node}: ${r.stderr}`);
  }

  async k(...args: string[]): Promise<string> {
    const r = await run(kubectlPath("1.34"), ["--kubeconfig", this.kubeconfig, ...args], {
      env: { ...process.env, KUBECONFIG: "", HOME: this.stateDir },
    });
    if (r.code !== 0) throw new Error(`kubectl ${args.join(" ")} exited ${r.code}: ${r.stderr}`);
    return r.stdout;
  }

  async json<T = Record<string, any>>(...args: string[]): Promise<T> {
    return JSON.parse(await this.k(...args, "-o", "json")) as T;
  }

  /** Deletes the cluster (if it still exists) and its state dir. */
  async delete(): Promise<RunResult> {
    live.delete(this);
    const r = await this.cli(["delete", this.name]);
    rmSync(this.stateDir, { recursive: true, force: true });
    return r;
  }
}

/**
 * Whether anything at `ip` answers: a connect to a closed port gets a reset from a live kernel
 * (reachable), and nothing from an address cut off or powered down.
 */
export function answers(ip: string, port = 1, timeoutMs = 1_000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: ip, port, timeout: timeoutMs });
    const done = (v: boolean) => {
      socket.destroy();
      resolve(v);
    };
    socket.once("connect", () => done(true));
    socket.once("timeout", () => done(false));
    socket.once("error", (err: NodeJS.ErrnoException) => done(err.code === "ECONNREFUSED"));
  });
}

export interface HostSnapshot {
  readonly netns: string[];
  readonly links: string[];
  readonly mounts: string[];
  readonly cgroups: string[];
  readonly processes: string[];
}

/** A command's output lines (stdin closed: `run` can hit EPIPE on commands this quick). */
function lines(cmd: string, args: string[]): Promise<string[]> {
  return new Promise((resolve, reject) =>
    execFile(cmd, args, { maxBuffer: 64 << 20 }, (err, stdout) =>
      err ? reject(err) : resolve(stdout.split("\n").filter(Boolean)),
    ),
  );
}

/** Under /sys/fs/cgroup/<hierarchy>/bosun/…, the cgroup directories (two levels). */
function bosunCgroups(): string[] {
  const out: string[] = [];
  const dirs = (d: string) => {
    try {
      return readdirSync(d, { withFileTypes: true })
        .filter((e) => e.isDirectory())
        .map((e) => join(d, e.name));
    } catch {
      return [];
    }
  };
  for (const h of dirs("/sys/fs/cgroup")) {
    for (const c of dirs(join(h, "bosun"))) out.push(c, ...dirs(c));
  }
  return out;
}

export async function hostSnapshot(): Promise<HostSnapshot> {
  return {
    netns: (await lines("ip", ["netns", "list"])).map((l) => l.split(" ")[0]!),
    links: (await lines("ip", ["-o", "link", "show"])).map((l) => l.split(":")[1]!.trim()),
    mounts: readFileSync("/proc/self/mounts", "utf8")
      .split("\n")
      .map((l) => l.split(" ")[1] ?? "")
      .filter(Boolean),
    cgroups: bosunCgroups(),
    processes: (await lines("ps", ["-eo", "args"])).filter((l) => !l.startsWith("ps ")),
  };
}

/**
 * What `after` has that `before` had not and that belongs to `cluster` (other work on the host
 * comes and goes meanwhile; only this cluster's traces count).
 */
export function leftovers(before: HostSnapshot, after: HostSnapshot, cluster: TestCluster) {
  const ours = (s: string) =>
    s.includes(cluster.name) ||
    s.includes(cluster.stateDir) ||
    (cluster.hostLink !== "" && s.split("@")[0] === cluster.hostLink);
  const out: Record<string, string[]> = {};
  for (const key of Object.keys(before) as (keyof HostSnapshot)[]) {
    const had = new Set(before[key]);
    const extra = after[key].filter((x) => !had.has(x) && ours(x));
    if (extra.length > 0) out[key] = extra;
  }
  return out;
}
