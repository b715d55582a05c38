/**
 * Keeps a daemon Bosun runs as its child (containerd on a node, etcd on a master) alive: spawns
 * it (SIGKILL when Bosun dies, `setpriv --pdeathsig`), writes its pid file, copies its output to
 * a log file and each line, mapped to a level, to our log, restarts it with back-off (1 s
 * doubling to 30 s, reset after a minute up) when it dies, and stops it with SIGTERM (SIGKILL
 * after 10 s). A daemon left by a Bosun that was killed is found by its pid file and stopped first
 * (two on one data dir would fight over it).
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
import { type Clock, realClock, type Timer } from "./clock.ts";
import type { Logger } from "./log.ts";

export type LogLevel = "debug" | "info" | "warn" | "error";

export interface ChildSupervisorOptions {
  /** The daemon's name in log lines ("containerd", "etcd"). */
  readonly name: string;
  readonly binary: string;
  readonly args: readonly string[];
  /** Text that identifies our daemon in /proc/<pid>/cmdline (its config or data dir). */
  readonly marker: string;
  readonly pidFile: string;
  readonly logFile: string;
  readonly log: Logger;
  /** One output line → our level and message. */
  readonly parseLine: (line: string) => { level: LogLevel; msg: string };
  /** Runs after an orphan is stopped and before each spawn (the daemon is not running then). */
  readonly beforeSpawn?: () => Promise<void>;
  /** What to run after a crash, once the back-off has passed (a start, and maybe a wait). */
  readonly restart: () => Promise<void>;
  readonly clock?: Clock;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export class ChildSupervisor {
  readonly #o: ChildSupervisorOptions;
  readonly #clock: Clock;
  #child: ChildProcess | undefined;
  #logStream: WriteStream | undefined;
  #stopping = false;
  #backoffMs = 1000;
  #restartTimer: Timer | undefined;
  #startedAt = 0;
  readonly #recent: string[] = [];

  constructor(options: ChildSupervisorOptions) {
    this.#o = options;
    this.#clock = options.clock ?? realClock;
  }

  get pid(): number | undefined {
    return this.#child?.pid;
  }

  get startedAt(): number {
    return this.#startedAt;
  }

  /** The last lines the daemon wrote, for error messages. */
  get recentOutput(): string {
    return this.#recent.join("\n");
  }

  /** True while the child process runs. */
  get running(): boolean {
    const c = this.#child;
    return !!c && c.exitCode === null && c.signalCode === null;
  }

  /** Stops an orphan, then spawns the daemon. Readiness is the caller's to wait for. */
  async launch(): Promise<void> {
    this.#stopping = false;
    await this.#stopOrphan();
    await this.#o.beforeSpawn?.();
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
    this.#o.log.warn(`stopping ${this.#o.name} left by a previous run`, { pid });
    process.kill(pid, "SIGTERM");
    const until = Date.now() + 10_000;
    while (alive(pid) && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    if (alive(pid)) process.kill(pid, "SIGKILL");
  }

  #spawn(): void {
    const { binary, args } = this.#o;
    const child = existsSync("/usr/bin/setpriv")
      ? spawn("/usr/bin/setpriv", ["--pdeathsig", "KILL", "--", binary, ...args], {
          stdio: ["ignore", "pipe", "pipe"],
        })
      : spawn(binary, args, { stdio: ["ignore", "pipe", "pipe"] });
    this.#child = child;
    this.#startedAt = Date.now();
    // The pid is known as soon as spawn() returns; waiting for the "spawn" event would let a
    // daemon that is ready before that event is delivered run without its pid file.
    if (child.pid) writeFileSync(this.#o.pidFile, `${child.pid}\n`);
    child.once("error", (err) => this.#o.log.error(`cannot run ${this.#o.name}`, { err, binary }));
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
    const { level, msg } = this.#o.parseLine(line);
    this.#o.log[level](msg, { source: this.#o.name });
  }

  #exited(child: ChildProcess, code: number | null, signal: string | null): void {
    if (this.#child !== child) return;
    this.#child = undefined;
    if (this.#stopping) return;
    const upMs = Date.now() - this.#startedAt;
    if (upMs > 60_000) this.#backoffMs = 1000;
    this.#o.log.error(`${this.#o.name} exited; restarting`, {
      code,
      signal,
      upMs,
      inMs: this.#backoffMs,
      last: this.#recent.slice(-3).join(" | "),
    });
    this.#restartTimer = this.#clock.after(this.#backoffMs, () => {
      if (this.#stopping) return;
      this.#o
        .restart()
        .catch((err) => this.#o.log.error(`${this.#o.name} restart failed`, { err }));
    });
    this.#backoffMs = Math.min(this.#backoffMs * 2, 30_000);
  }

  /** Stops the daemon (SIGTERM, then SIGKILL after 10 s). */
  async stop(): Promise<void> {
    this.#stopping = true;
    this.#restartTimer?.cancel();
    if (this.#child) await terminate(this.#child, 10_000);
    this.#child = undefined;
    rmSync(this.#o.pidFile, { force: true });
    await new Promise<void>((r) => (this.#logStream ? this.#logStream.end(r) : r()));
    this.#logStream = undefined;
  }
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves once the child has exited. */
export async function terminate(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once("exit", r));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
  await exited;
  clearTimeout(timer);
}
