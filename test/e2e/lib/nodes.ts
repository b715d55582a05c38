/**
 * Simulated nodes for end-to-end tests: each is a `bosun agent --runtime simulated` child process
 * joined with the server's admin kubeconfig, so one can be stopped (its heartbeat ends, as when a
 * machine dies) while the others keep running.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { TestServer } from "./server.ts";

const bosun = fileURLToPath(new URL("../../../bin/bosun.ts", import.meta.url));

export interface SimulatedNodeOptions {
  /** e.g. `{ cpu: "4", memory: "16Gi", pods: "110" }` (the simulated defaults fill the rest). */
  readonly capacity?: Readonly<Record<string, string>>;
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
      ],
      { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, BOSUN_LOG_LEVEL: "warn" } },
    );
    child.stdout!.on("data", (d: Buffer) => (node.log += d.toString()));
    child.stderr!.on("data", (d: Buffer) => (node.log += d.toString()));
    node.#child = child;
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
