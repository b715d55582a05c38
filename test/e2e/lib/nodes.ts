/**
 * Simulated nodes for end-to-end tests: each is a `bosun agent --runtime simulated` child process
 * joined with the server's admin kubeconfig, so one can be stopped (its heartbeat ends, as when a
 * machine dies) while the others keep running.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { TestServer } from "./server.ts";

const bosun = fileURLToPath(new URL("../../../bin/bosun.js", import.meta.url));

/** Agents still running when the test process exits are killed, so none outlive a failed test. */
const running = new Set<ChildProcess>();
process.once("exit", () => {
  for (const p of running) p.kill("SIGKILL");
});
function track(child: ChildProcess): void {
  running.add(child);
  child.once("exit", () => running.delete(child));
}

export interface SimulatedNodeOptions {
  /** e.g. `{ cpu: "4", memory: "16Gi", pods: "110" }` (the simulated defaults fill the rest). */
  readonly capacity?: Readonly<Record<string, string>>;
  /** The node Lease's duration; the agent renews it every quarter (default 40, renewed every 10 s). */
  readonly leaseDurationSeconds?: number;
}

export class SimulatedNode {
  readonly name: string;
  log = "";
  #child: ChildProcess | undefined;

  private constructor(name: string) {
    this.name = name;
  }

  /** Starts the agent; returns once the process runs (wait for Ready through the API). */
  static start(
    server: TestServer,
    name: string,
    options: SimulatedNodeOptions = {},
  ): SimulatedNode {
    const node = new SimulatedNode(name);
    const capacity = Object.entries(options.capacity ?? {})
      .map(([k, v]) => `${k}=${v}`)
      .join(",");
    const child = spawn(
      process.execPath,
      [
        bosun,
        "agent",
        "--kubeconfig",
        server.kubeconfig,
        "--runtime",
        "simulated",
        "--node-name",
        name,
        ...(capacity ? ["--capacity", capacity] : []),
        ...(options.leaseDurationSeconds
          ? ["--node-lease-duration-seconds", String(options.leaseDurationSeconds)]
          : []),
      ],
      { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, BOSUN_LOG_LEVEL: "warn" } },
    );
    child.stdout!.on("data", (d: Buffer) => (node.log += d.toString()));
    child.stderr!.on("data", (d: Buffer) => (node.log += d.toString()));
    node.#child = child;
    track(child);
    return node;
  }

  /** Kills the agent at once (SIGKILL): the node stops renewing its Lease. */
  async kill(): Promise<void> {
    const child = this.#child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((r) => child.once("exit", () => r()));
    child.kill("SIGKILL");
    await exited;
  }
}

/** Many simulated nodes in one `bosun simulate nodes` process, named `<prefix>0`…. */
export class SimulatedNodeGroup {
  readonly names: readonly string[];
  log = "";
  readonly #child: ChildProcess;

  private constructor(names: readonly string[], child: ChildProcess) {
    this.names = names;
    this.#child = child;
    track(child);
    child.stdout!.on("data", (d: Buffer) => (this.log += d.toString()));
    child.stderr!.on("data", (d: Buffer) => (this.log += d.toString()));
  }

  static start(
    server: TestServer,
    count: number,
    options: SimulatedNodeOptions & { readonly prefix?: string } = {},
  ): SimulatedNodeGroup {
    const prefix = options.prefix ?? "sim-";
    const capacity = Object.entries(options.capacity ?? {})
      .map(([k, v]) => `${k}=${v}`)
      .join(",");
    const child = spawn(
      process.execPath,
      [
        bosun,
        "simulate",
        "nodes",
        "--kubeconfig",
        server.kubeconfig,
        "--count",
        String(count),
        "--prefix",
        prefix,
        ...(capacity ? ["--capacity", capacity] : []),
        ...(options.leaseDurationSeconds
          ? ["--node-lease-duration-seconds", String(options.leaseDurationSeconds)]
          : []),
      ],
      { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, BOSUN_LOG_LEVEL: "warn" } },
    );
    const names = Array.from({ length: count }, (_, i) => `${prefix}${i}`);
    return new SimulatedNodeGroup(names, child);
  }

  /** Stops the process (SIGTERM) and waits for it to exit. */
  async stop(): Promise<void> {
    const child = this.#child;
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((r) => child.once("exit", () => r()));
    child.kill("SIGTERM");
    await exited;
  }
}

/** Polls kubectl until every named node reports Ready=True. */
export async function waitForReadyNodes(
  server: TestServer,
  names: readonly string[],
  ms = 30_000,
): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    const nodes = await server.json<{ items: any[] }>("get", "nodes");
    const ready = new Set(
      nodes.items
        .filter((n) =>
          (n.status?.conditions ?? []).some((c: any) => c.type === "Ready" && c.status === "True"),
        )
        .map((n) => n.metadata.name),
    );
    if (names.every((n) => ready.has(n))) return;
    if (Date.now() > deadline) {
      throw new Error(`nodes not Ready in ${ms} ms: ${names.filter((n) => !ready.has(n))}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}
