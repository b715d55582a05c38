/**
 * `bosun cluster delete`: takes a cluster apart so that nothing of it is left on the host —
 * supervisor and node processes, cgroups, network namespaces and links, mounts and files. Each
 * step tolerates parts that are already gone, so it also cleans up after a failed `create`.
 */
import { readFileSync, rmdirSync, rmSync } from "node:fs";
import type { RunCommand } from "../machinery/exec.ts";
import type { Logger } from "../machinery/log.ts";
import { removeClusterCgroups } from "./cgroups.ts";
import { sendControl } from "./control.ts";
import { deleteNetwork } from "./network.ts";
import { launcherWords } from "./node-init.ts";
import { clusterFiles } from "./spec.ts";
import {
  anyClusterNamespace,
  hostDirsRecord,
  listClusters,
  processMatches,
  readStatus,
  removeHostDirsIfUnused,
  type SavedCluster,
} from "./state.ts";
import { supervisorWords } from "./supervisor-process.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function kill(pid: number): void {
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    // Gone already.
  }
}

/** Stops the supervisor (asking it to stop its nodes first) and any launcher it left behind. */
async function stopProcesses(cluster: SavedCluster, log: Logger): Promise<void> {
  const status = readStatus(cluster);
  const pid = status?.supervisorPid;
  if (pid && processMatches(pid, supervisorWords(cluster.name))) {
    try {
      await sendControl(clusterFiles(cluster.dir).socket, { op: "shutdown" }, 30_000);
    } catch (err) {
      log.warn("the supervisor did not shut down cleanly; killing it", { err });
    }
    const deadline = Date.now() + 5_000;
    while (processMatches(pid, supervisorWords(cluster.name)) && Date.now() < deadline) {
      await sleep(20);
    }
    kill(pid);
  }
  for (const node of cluster.nodes) {
    const launcher = status?.nodes.find((n) => n.name === node.name)?.pid;
    if (launcher && processMatches(launcher, launcherWords(node))) kill(launcher);
  }
}

/** Host mounts under the cluster's directory (none, unless something went wrong). */
function mountsUnder(dir: string): string[] {
  return readFileSync("/proc/self/mounts", "utf8")
    .split("\n")
    .map((l) => l.split(" ")[1] ?? "")
    .filter((m) => m === dir || m.startsWith(`${dir}/`))
    .sort((a, b) => b.length - a.length);
}

export async function deleteCluster(
  cluster: SavedCluster,
  o: { base: string; run: RunCommand; log: Logger },
): Promise<void> {
  await stopProcesses(cluster, o.log);
  await removeClusterCgroups(cluster.cgroups);
  await deleteNetwork(o.run, cluster);
  for (const m of mountsUnder(cluster.dir)) await o.run("umount", ["-l", m]);
  rmSync(cluster.dir, { recursive: true, force: true });
  const others = listClusters(o.base).length > 0 || anyClusterNamespace();
  removeHostDirsIfUnused(hostDirsRecord(o.base), others);
  if (!others) {
    try {
      rmdirSync(o.base);
    } catch {
      // Holds something else.
    }
  }
}
