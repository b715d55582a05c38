/**
 * Runs this master's etcd member as a child process and keeps it running, as the agent's
 * containerd supervisor does: a pid file (an etcd left by a killed server is stopped first, two
 * on one data dir would fight over its lock), output appended to `etcd.log` and its warnings and
 * errors copied to our structured log, restarts with back-off (1 s doubling to 30 s) when it dies,
 * SIGTERM then SIGKILL after 10 s on stop, and SIGKILL if the server dies without stopping it
 * (`setpriv --pdeathsig`).
 */
import { ChildSupervisor, type LogLevel } from "../machinery/child-supervisor.ts";
import type { Clock } from "../machinery/clock.ts";
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

const levels: Record<string, LogLevel> = {
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

/** Runs the member's etcd; `start` returns once it is spawned (readiness is the caller's). */
export class EtcdSupervisor {
  readonly #child: ChildSupervisor;

  constructor(o: EtcdSupervisorOptions) {
    this.#child = new ChildSupervisor({
      name: "etcd",
      binary: o.binary ?? "etcd",
      args: o.args,
      marker: o.marker,
      pidFile: o.pidFile,
      logFile: o.logFile,
      log: o.log,
      parseLine: (line) => {
        const { level, msg } = parseEtcdLine(line);
        return { level: levels[level] ?? "debug", msg };
      },
      restart: () => this.start(),
      ...(o.clock ? { clock: o.clock } : {}),
    });
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }

  /** The last lines etcd wrote, for error messages. */
  get recentOutput(): string {
    return this.#child.recentOutput;
  }

  /** True while the child process runs. */
  get running(): boolean {
    return this.#child.running;
  }

  /** Starts etcd (stopping an orphan first). Readiness is the caller's to wait for. */
  start(): Promise<void> {
    return this.#child.launch();
  }

  /** Stops etcd (SIGTERM, then SIGKILL after 10 s). */
  stop(): Promise<void> {
    return this.#child.stop();
  }
}
