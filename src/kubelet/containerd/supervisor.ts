/**
 * Runs the agent's own containerd as a child process and keeps it running: starts it with the
 * generated config, waits until it answers (CRI Version), copies its output to
 * `containerd.log` and its warnings and errors to our log, restarts it with back-off (1 s doubling
 * to 30 s) when it dies, and stops it with SIGTERM (SIGKILL after 10 s). Containers survive a
 * containerd restart: their shims re-parent to PID 1. A containerd left by an agent that was
 * killed is found by its pid file and stopped first (two on one bolt database would deadlock).
 * The child gets SIGKILL if the agent dies without stopping it (`setpriv --pdeathsig`).
 */
import { ChildSupervisor, type LogLevel } from "../../machinery/child-supervisor.ts";
import type { Clock } from "../../machinery/clock.ts";
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
  /** Runs before each start, once no containerd runs on the config (a crashed or orphaned one). */
  readonly beforeStart?: () => Promise<void>;
  /** Called after containerd came back from a crash. */
  readonly onRestart?: () => void;
}

const levels: Record<string, LogLevel> = {
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

export class ContainerdSupervisor {
  readonly #o: ContainerdSupervisorOptions;
  readonly #child: ChildSupervisor;

  constructor(options: ContainerdSupervisorOptions) {
    this.#o = options;
    this.#child = new ChildSupervisor({
      name: "containerd",
      binary: options.binary ?? "containerd",
      args: ["--config", options.configPath],
      marker: options.configPath,
      pidFile: options.pidFile,
      logFile: options.logFile,
      log: options.log,
      parseLine: (line) => {
        const { level, msg } = parseContainerdLine(line);
        return { level: levels[level] ?? "debug", msg };
      },
      restart: () => this.start().then(() => this.#o.onRestart?.()),
      ...(options.beforeStart ? { beforeSpawn: options.beforeStart } : {}),
      ...(options.clock ? { clock: options.clock } : {}),
    });
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }

  /** Starts containerd and resolves once it serves CRI; rejects with its last output if not. */
  async start(): Promise<void> {
    await this.#child.launch();
    const timeoutMs = this.#o.startTimeoutMs ?? 30_000;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (!this.#child.running) {
        throw new Error(`containerd exited during start-up:\n${this.#child.recentOutput}`);
      }
      if (await this.#o.ready().catch(() => false)) break;
      if (Date.now() > deadline) {
        await this.stop();
        throw new Error(
          `containerd did not answer within ${timeoutMs} ms:\n${this.#child.recentOutput}`,
        );
      }
      await new Promise((r) => setTimeout(r, 25));
    }
    this.#o.log.info("containerd ready", {
      pid: this.#child.pid,
      ms: Date.now() - this.#child.startedAt,
    });
  }

  /** Stops containerd (SIGTERM, then SIGKILL after 10 s). Pods' shims keep running. */
  stop(): Promise<void> {
    return this.#child.stop();
  }
}
