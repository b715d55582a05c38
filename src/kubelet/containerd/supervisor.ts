/**
 * Runs the agent's own containerd as a child process and keeps it running: starts it with the
 * generated config, waits until it answers (CRI Version), copies its output to
 * `containerd.log` and its warnings and errors to our log, restarts it with back-off (1 s doubling
 * to 30 s) when it dies, and stops it with SIGTERM (SIGKILL after 10 s). Containers survive a
 * containerd restart: their shims re-parent to PID 1. A containerd left by an agent that was
 * killed is found by its pid file and stopped first (two on one bolt database would deadlock).
 * The child gets SIGKILL if the agent dies without stopping it (`setpriv --pdeathsig`).
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
import { type Clock, realClock, type Timer } from "../../machinery/clock.ts";
import type { Logger } from "../../machinery/log.ts";

export interface ContainerdSupervisorOptions {
  readonly configPath: string;
  /** Where containerd's pid is kept, to stop one orphaned by a killed agent. */
  readonly pidFile: string;
  readonly logFile: string;
  readonly log: Logger;
  /** Resolves true once containerd serves CRI. */
  readonly ready: () => Promise<boolean>;
  readonly binary?: string;
  readonly clock?: Clock;
  readonly startTimeoutMs?: number;
  /** Called after containerd came back from a crash. */
  readonly onRestart?: () => void;
}

const levels: Record<string, "debug" | "info" | "warn" | "error"> = {
  trace: "debug",
  debug: "debug",
  info: "debug",
  warning: "warn",
  error: "error",
  fatal: "error",
  panic: "error",
};

/** containerd's logrus line (`time=… level=… msg="…"`) → level and message. */
export function parseContainerdLine(line: string): { level: string; msg: string } {
  const level = /\blevel=(\w+)/.exec(line)?.[1] ?? "info";
  const quoted = /\bmsg="((?:[^"\\]|\\.)*)"/.exec(line);
  const msg = quoted ? JSON.parse(`"${quoted[1]}"`) : (/\bmsg=(\S+)/.exec(line)?.[1] ?? line);
  return { level, msg };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export class ContainerdSupervisor {
  readonly #o: ContainerdSupervisorOptions;
  readonly #clock: Clock;
  #child: ChildProcess | undefined;
  #logStream: WriteStream | undefined;
  #stopping = false;
  #backoffMs = 1000;
  #restartTimer: Timer | undefined;
  #startedAt = 0;
  readonly #recent: string[] = [];

  constructor(options: ContainerdSupervisorOptions) {
    this.#o = options;
    this.#clock = options.clock ?? realClock;
  }

  get pid(): number | undefined {
    return this.#child?.pid;
  }

  /** Starts containerd and resolves once it serves CRI; rejects with its last output if not. */
  async start(): Promise<void> {
    await this.#stopOrphan();
    this.#logStream ??= createWriteStream(this.#o.logFile, { flags: "a" });
    this.#spawn();
    const deadline = Date.now() + (this.#o.startTimeoutMs ?? 30_000);
    for (;;) {
      const child = this.#child;
      if (!child || child.exitCode !== null || child.signalCode !== null) {
        throw new Error(`containerd exited during start-up:\n${this.#recent.join("\n")}`);
      }
      if (await this.#o.ready().catch(() => false)) break;
      if (Date.now() > deadline) {
        await this.stop();
        throw new Error(
          `containerd did not answer within ${this.#o.startTimeoutMs ?? 30_000} ms:\n${this.#recent.join("\n")}`,
        );
      }
      await new Promise((r) => setTimeout(r, 25));
    }
    this.#o.log.info("containerd ready", {
      pid: this.#child?.pid,
      ms: Date.now() - this.#startedAt,
    });
  }

  async #stopOrphan(): Promise<void> {
    if (!existsSync(this.#o.pidFile)) return;
    const pid = Number(readFileSync(this.#o.pidFile, "utf8").trim());
    rmSync(this.#o.pidFile, { force: true });
    if (!Number.isInteger(pid) || pid <= 1 || !alive(pid)) return;
    const cmdline = existsSync(`/proc/${pid}/cmdline`)
      ? readFileSync(`/proc/${pid}/cmdline`, "utf8")
      : "";
    if (!cmdline.includes(this.#o.configPath)) return;
    this.#o.log.warn("stopping containerd left by a previous agent", { pid });
    process.kill(pid, "SIGTERM");
    const until = Date.now() + 10_000;
    while (alive(pid) && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    if (alive(pid)) process.kill(pid, "SIGKILL");
  }

  #spawn(): void {
    const binary = this.#o.binary ?? "containerd";
    const args = ["--config", this.#o.configPath];
    const usePdeathsig = existsSync("/usr/bin/setpriv");
    const child = usePdeathsig
      ? spawn("/usr/bin/setpriv", ["--pdeathsig", "KILL", "--", binary, ...args], {
          stdio: ["ignore", "pipe", "pipe"],
        })
      : spawn(binary, args, { stdio: ["ignore", "pipe", "pipe"] });
    this.#child = child;
    this.#startedAt = Date.now();
    // The pid is known as soon as spawn() returns; waiting for the "spawn" event would let a
    // containerd that is ready before that event is delivered run without its pid file.
    if (child.pid) writeFileSync(this.#o.pidFile, `${child.pid}\n`);
    child.once("error", (err) => this.#o.log.error("cannot run containerd", { err, binary }));
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
    const { level, msg } = parseContainerdLine(line);
    const mapped = levels[level] ?? "debug";
    this.#o.log[mapped](msg, { source: "containerd" });
  }

  #exited(child: ChildProcess, code: number | null, signal: string | null): void {
    if (this.#child !== child) return;
    this.#child = undefined;
    if (this.#stopping) return;
    const upMs = Date.now() - this.#startedAt;
    if (upMs > 60_000) this.#backoffMs = 1000;
    this.#o.log.error("containerd exited; restarting", {
      code,
      signal,
      upMs,
      inMs: this.#backoffMs,
      last: this.#recent.slice(-3).join(" | "),
    });
    this.#restartTimer = this.#clock.after(this.#backoffMs, () => {
      if (this.#stopping) return;
      this.start()
        .then(() => this.#o.onRestart?.())
        .catch((err) => this.#o.log.error("containerd restart failed", { err }));
    });
    this.#backoffMs = Math.min(this.#backoffMs * 2, 30_000);
  }

  /** Stops containerd (SIGTERM, then SIGKILL after 10 s). Pods' shims keep running. */
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
