/**
 * Starting the detached supervisor of a cluster (`bosun cluster supervise <name>`, its output in
 * `supervisor.log`) and making sure one runs: `create` starts it; `node start|stop` start a new
 * one if it died (it adopts the node launchers still running). Fails fast, with the end of its
 * log, when the supervisor exits instead of answering.
 */
import { spawn } from "node:child_process";
import { closeSync, openSync } from "node:fs";
import { sendControl } from "./control.ts";
import { clusterFiles } from "./spec.ts";
import { processMatches, readLogTail, readStatus, type SavedCluster } from "./state.ts";

export const supervisorWords = (name: string) => ["cluster", "supervise", name];

export function supervisorRunning(cluster: SavedCluster): boolean {
  return processMatches(readStatus(cluster)?.supervisorPid, supervisorWords(cluster.name));
}

/** Starts a supervisor and waits until it answers; returns its pid. */
export async function startSupervisor(
  cluster: SavedCluster,
  o: { base: string; bosun: readonly string[]; deadline: number },
): Promise<number> {
  const files = clusterFiles(cluster.dir);
  const out = openSync(files.supervisorLog, "a");
  const [cmd, ...args] = [...o.bosun, ...supervisorWords(cluster.name), "--state-dir", o.base];
  const child = spawn(cmd!, args, { detached: true, stdio: ["ignore", out, out] });
  closeSync(out);
  child.unref();
  let exited: number | null = null;
  child.once("exit", (code) => (exited = code ?? 1));
  for (;;) {
    const r = await sendControl(files.socket, { op: "status" }, 2_000).catch(() => undefined);
    if (r?.ok) return child.pid ?? 0;
    if (exited !== null) {
      throw new Error(
        `the cluster supervisor exited with ${exited}: ${readLogTail(files.supervisorLog, 3)}`,
      );
    }
    if (Date.now() > o.deadline) throw new Error("timed out waiting for the cluster supervisor");
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A running supervisor for the cluster: the one there is, or a new one. */
export async function ensureSupervisor(
  cluster: SavedCluster,
  o: { base: string; bosun: readonly string[] },
): Promise<void> {
  if (supervisorRunning(cluster)) return;
  await startSupervisor(cluster, { ...o, deadline: Date.now() + 30_000 });
}
