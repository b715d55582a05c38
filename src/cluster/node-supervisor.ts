/**
 * Keeps each node of a cluster in the state asked for: a node that should run has a live
 * launcher (relaunched with back-off, 1 s doubling to 30 s, when it dies on its own); a stopped
 * node has none. `stop` is a hard power-off (the launcher is killed, and with it the node's PID
 * namespace); hooks around start and stop handle the node's network and cgroup. Launching is
 * injected, so the logic is tested with fake processes and a fake clock.
 */
import type { Clock, Timer } from "../machinery/clock.ts";
import type { Logger } from "../machinery/log.ts";
import type { NodeSpec } from "./spec.ts";

export interface Launched {
  readonly pid: number;
  /** Settles when the process has exited. */
  readonly exited: Promise<void>;
  kill(): void;
}

export type Desired = "running" | "stopped";

export interface NodeStatus {
  readonly name: string;
  readonly desired: Desired;
  readonly pid?: number;
  readonly startedAt?: string;
  readonly restarts: number;
}

export interface NodeSupervisorOptions {
  readonly nodes: readonly NodeSpec[];
  readonly launch: (node: NodeSpec) => Launched;
  /** Before a launch (power the network on). */
  readonly beforeStart?: (node: NodeSpec) => Promise<void>;
  /** After a node's launcher is gone (thaw and wait for its processes, power off). */
  readonly afterStop?: (node: NodeSpec) => Promise<void>;
  readonly clock: Clock;
  readonly log: Logger;
  /** Called whenever a node's status changes (to persist it). */
  readonly onChange?: () => void;
}

interface Entry {
  readonly spec: NodeSpec;
  desired: Desired;
  proc: Launched | undefined;
  startedAt: number | undefined;
  restarts: number;
  backoffMs: number;
  retry?: Timer;
}

const initialBackoffMs = 1_000;
const maxBackoffMs = 30_000;
/** A node that ran this long before dying is relaunched after the initial back-off again. */
const stableMs = 60_000;

export class NodeSupervisor {
  readonly #o: NodeSupervisorOptions;
  readonly #nodes = new Map<string, Entry>();
  /** Serialises start/stop per node. */
  readonly #busy = new Map<string, Promise<void>>();

  constructor(o: NodeSupervisorOptions) {
    this.#o = o;
    for (const spec of o.nodes) {
      this.#nodes.set(spec.name, {
        spec,
        desired: "stopped",
        proc: undefined,
        startedAt: undefined,
        restarts: 0,
        backoffMs: initialBackoffMs,
      });
    }
  }

  #entry(name: string): Entry {
    const e = this.#nodes.get(name);
    if (!e) throw new Error(`no node named "${name}" in this cluster`);
    return e;
  }

  #serial(name: string, fn: () => Promise<void>): Promise<void> {
    const next = (this.#busy.get(name) ?? Promise.resolve()).then(fn, fn);
    this.#busy.set(name, next);
    return next;
  }

  /** Takes over a launcher a previous supervisor started. */
  adopt(name: string, proc: Launched, startedAt: number): void {
    const e = this.#entry(name);
    e.desired = "running";
    this.#watch(e, proc, startedAt);
  }

  start(name: string): Promise<void> {
    const e = this.#entry(name);
    return this.#serial(name, async () => {
      e.desired = "running";
      e.retry?.cancel();
      if (e.proc) return;
      await this.#launch(e);
    });
  }

  stop(name: string): Promise<void> {
    const e = this.#entry(name);
    return this.#serial(name, async () => {
      e.desired = "stopped";
      e.retry?.cancel();
      e.backoffMs = initialBackoffMs;
      const proc = e.proc;
      if (proc) {
        proc.kill();
        await proc.exited;
      }
      await this.#o.afterStop?.(e.spec);
      this.#o.log.info("node stopped", { node: name });
      this.#o.onChange?.();
    });
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.#nodes.keys()].map((n) => this.stop(n)));
  }

  status(): NodeStatus[] {
    return [...this.#nodes.values()].map((e) => ({
      name: e.spec.name,
      desired: e.desired,
      ...(e.proc ? { pid: e.proc.pid } : {}),
      ...(e.proc && e.startedAt !== undefined
        ? { startedAt: new Date(e.startedAt).toISOString() }
        : {}),
      restarts: e.restarts,
    }));
  }

  async #launch(e: Entry): Promise<void> {
    await this.#o.beforeStart?.(e.spec);
    if (e.desired !== "running" || e.proc) return;
    const proc = this.#o.launch(e.spec);
    this.#o.log.info("node started", { node: e.spec.name, pid: proc.pid });
    this.#watch(e, proc, this.#o.clock.now());
  }

  #watch(e: Entry, proc: Launched, startedAt: number): void {
    e.proc = proc;
    e.startedAt = startedAt;
    this.#o.onChange?.();
    void proc.exited.then(() => {
      if (e.proc !== proc) return;
      e.proc = undefined;
      e.startedAt = undefined;
      this.#o.onChange?.();
      if (e.desired !== "running") return;
      const ranMs = this.#o.clock.now() - startedAt;
      if (ranMs >= stableMs) e.backoffMs = initialBackoffMs;
      const delay = e.backoffMs;
      e.backoffMs = Math.min(e.backoffMs * 2, maxBackoffMs);
      this.#o.log.warn("node died; relaunching", { node: e.spec.name, inMs: delay });
      e.retry = this.#o.clock.after(delay, () => {
        void this.#serial(e.spec.name, async () => {
          if (e.desired !== "running" || e.proc) return;
          e.restarts++;
          await this.#launch(e).catch((err: unknown) => {
            this.#o.log.error("node relaunch failed", { node: e.spec.name, err });
          });
        });
      });
    });
  }
}
