/**
 * Runs this master's etcd member as a child process and keeps it running, as the agent's
 * containerd supervisor does: a pid file (an etcd left by a killed server is stopped first, two
 * on one data dir would fight over its lock), output appended to `etcd.log` and its warnings and
 * errors copied to our structured log, restarts with back-off (1 s doubling to 30 s) when it dies,
 * SIGTERM then SIGKILL after 10 s on stop, and SIGKILL if the server dies without stopping it
 * (`setpriv --pdeathsig`).
 */
import { type ChildProcess, spawn } from "node:child_process";
import {
  createWriteStream,
  existsSync,
  readFileSync,
  rmSync,
  type WriteStream,
  writeFileSync,
} from "node:fs";
import { type Clock, realClock, type Timer } from "../machinery/clock.ts";
import type { Logger } from "../machinery/log.ts";

export interface EtcdSupervisorOptions {
  readonly args: readonly string[];
  /** Text that identifies our etcd in /proc/<pid>/cmdline (its data dir). */
  readonly marker: string;
  readonly pidFile: string;
  readonly logFile: string;
  readonly log: Logger;
  readonly binary?: string;
  readonly clock?: Clock;
}

const levels: Record<string, "debug" | "info" | "warn" | "error"> = {
  debug: "debug",
  info: "debug",
  warn: "warn",
  error: "error",
  dpanic: "error",
  panic: "error",
  fatal: "error",
};

/** One line of etcd's zap JSON output → level and message (plain text stays info). */
export function parseEtcdLine(line: string): { level: string; msg: string } {
  if (line.startsWith("{")) {
    try {
      const rec = JSON.parse(line) as { level?: string; msg?: string; error?: string };
      const msg = rec.error ? `${rec.msg ?? ""}: ${rec.error}` : (rec.msg ?? line);
      return { level: rec.level ?? "info", msg };
    } catch {
      // fall through: not JSON after all
    }
  }
  return { level: "info", msg: line };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export class EtcdSupervisor {
  readonly #o: EtcdSupervisorOptions;
  readonly #clock: Clock;
  #child: ChildProcess | undefined;
  #logStream: WriteStream | undefined;
  #stopping = false;
  #backoffMs = 1000;
  #restartTimer: Timer | undefined;
  #startedAt = 0;
  readonly #recent: string[] = [];

  constructor(options: EtcdSupervisorOptions) {
    this.#o = options;
    this.#clock = options.clock ?? realClock;
  }

  get pid(): number | undefined {
    return this.#child?.pid;
  }

  /** The last lines etcd wrote, for error messages. */
  get recentOutput(): string {
    return this.#recent.join("\n");
  }

  /** True while the child process runs. */
  get running(): boolean {
    const c = this.#child;
    return !!c && c.exitCode === null && c.signalCode === null;
  }

  /** Starts etcd (stopping an orphan first). Readiness is the caller's to wait for. */
  async start(): Promise<void> {
    this.#stopping = false;
    await this.#stopOrphan();
    this.#logStream ??= createWriteStream(this.#o.logFile, { flags: "a" });
    this.#spawn();
  }

  async #stopOrphan(): Promise<void> {
    if (!existsSync(this.#o.pidFile)) return;
    const pid = Number(readFileSync(this.#o.pidFile, "utf8").trim());
    rmSync(this.#o.pidFile, { force: true });
    if (!Number.isInteger(pid) || pid <= 1 || !alive(pid)) return;
    const cmdline = existsSync(`/proc/${pid}/cmdline`)
      ? readFileSync(`/proc/${pid}/cmdline`, "utf8")
      : "";
    if (!cmdline.includes(this.#o.marker)) return;
    this.#o.log.warn("stopping etcd left by a previous server", { pid });
    process.kill(pid, "SIGTERM");
    const until = Date.now() + 10_000;
    while (alive(pid) && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    if (alive(pid)) process.kill(pid, "SIGKILL");
  }

  #spawn(): void {
    const binary = this.#o.binary ?? "etcd";
    const args = [...this.#o.args];
    const usePdeathsig = existsSync("/usr/bin/setpriv");
    const child = usePdeathsig
      ? spawn("/usr/bin/setpriv", ["--pdeathsig", "KILL", "--", binary, ...args], {
          stdio: ["ignore", "pipe", "pipe"],
        })
      : spawn(binary, args, { stdio: ["ignore", "pipe", "pipe"] });
    this.#child = child;
    this.#startedAt = Date.now();
    if (child.pid) writeFileSync(this.#o.pidFile, `${child.pid}\n`);
    child.once("error", (err) => this.#o.log.error("cannot run etcd", { err, binary }));
    let partial = "";
    const onData = (chunk: Buffer) => {
      this.#logStream?.write(chunk);
      const lines = (partial + chunk.toString()).split("\n");
      partial = lines.pop() ?? "";
      for (const line of lines) this.#line(line);
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.once("exit", (code, signal) => this.#exited(child, code, signal));
  }

  #line(line: string): void {
    if (!line) return;
    this.#recent.push(line);
    if (this.#recent.length > 30) this.#recent.shift();
    const { level, msg } = parseEtcdLine(line);
    this.#o.log[levels[level] ?? "debug"](msg, { source: "etcd" });
  }

  #exited(child: ChildProcess, code: number | null, signal: string | null): void {
    if (this.#child !== child) return;
    this.#child = undefined;
    if (this.#stopping) return;
    const upMs = Date.now() - this.#startedAt;
    if (upMs > 60_000) this.#backoffMs = 1000;
    this.#o.log.error("etcd exited; restarting", {
      code,
      signal,
      upMs,
      inMs: this.#backoffMs,
      last: this.#recent.slice(-3).join(" | "),
    });
    this.#restartTimer = this.#clock.after(this.#backoffMs, () => {
      if (this.#stopping) return;
      this.start().catch((err) => this.#o.log.error("etcd restart failed", { err }));
    });
    this.#backoffMs = Math.min(this.#backoffMs * 2, 30_000);
  }

  /** Stops etcd (SIGTERM, then SIGKILL after 10 s). */
  async stop(): Promise<void> {
    this.#stopping = true;
    this.#restartTimer?.cancel();
    const child = this.#child;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(timer);
    }
    this.#child = undefined;
    rmSync(this.#o.pidFile, { force: true });
    await new Promise<void>((r) => (this.#logStream ? this.#logStream.end(r) : r()));
    this.#logStream = undefined;
  }
}
