/**
 * The per-cluster supervisor (`bosun cluster supervise <name>`, started detached by `create`):
 * owns the node launchers (`NodeSupervisor`), answers the control socket, runs the API load
 * balancer of a multi-master cluster and saves what it sees to `status.json` (host-gw routes are
 * each node's agent's own job). A new supervisor
 * adopts launchers a previous one left running. SIGTERM or a `shutdown` request stops every
 * node and exits.
 */
import { spawn } from "node:child_process";
import { closeSync, existsSync, mkdirSync, openSync, rmSync } from "node:fs";
import { configFromKubeconfig } from "../client/rest-client.ts";
import { untilAborted } from "../machinery/abort.ts";
import { type Clock, realClock } from "../machinery/clock.ts";
import { runCommand } from "../machinery/exec.ts";
import type { Logger } from "../machinery/log.ts";
import { isFrozen, nodePids, setFrozen } from "./cgroups.ts";
import { type ControlRequest, type ControlResponse, serveControl } from "./control.ts";
import { ApiBalancer, readyzProbe } from "./lb.ts";
import { powerOff, powerOn } from "./network.ts";
import { launcherCommand, launcherWords } from "./node-init.ts";
import { type Launched, NodeSupervisor } from "./node-supervisor.ts";
import { clusterFiles, mastersOf, type NodeSpec, nodeFiles } from "./spec.ts";
import { processMatches, readCluster, readStatus, type SavedCluster, writeJSON } from "./state.ts";

function launch(node: NodeSpec): Launched {
  mkdirSync(nodeFiles(node).logs, { recursive: true });
  const out = openSync(nodeFiles(node).console, "a");
  const [cmd, ...args] = launcherCommand(node);
  const child = spawn(cmd!, args, { detached: true, stdio: ["ignore", out, out] });
  closeSync(out);
  const exited = new Promise<void>((resolve) => {
    child.once("exit", () => resolve());
    child.once("error", () => resolve());
  });
  return { pid: child.pid ?? 0, exited, kill: () => child.kill("SIGKILL") };
}

/** A launcher started by an earlier supervisor: not our child, so its exit is polled. */
function adopted(pid: number, words: readonly string[], clock: Clock): Launched {
  const exited = new Promise<void>((resolve) => {
    const poll = () => (processMatches(pid, words) ? clock.after(200, poll) : resolve());
    poll();
  });
  return {
    pid,
    exited,
    kill: () => {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // Gone already.
      }
    },
  };
}

/** Thaws a stopped node if it was frozen, then waits until none of its processes is left. */
async function reapNode(cluster: SavedCluster, node: NodeSpec): Promise<void> {
  if (isFrozen(cluster.cgroups, node.name)) await setFrozen(cluster.cgroups, node.name, false);
  const deadline = Date.now() + 10_000;
  for (;;) {
    const left = nodePids(cluster.cgroups, node.name);
    if (left.length === 0) return;
    for (const pid of left) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // Gone.
      }
    }
    if (Date.now() > deadline) throw new Error(`node ${node.name}: processes ${left} remain`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The cluster CA from the host kubeconfig, once `create` has written it. */
function clusterCA(kubeconfig: string): string | undefined {
  if (!existsSync(kubeconfig)) return undefined;
  try {
    return configFromKubeconfig(kubeconfig).caPem;
  } catch {
    return undefined;
  }
}

export async function runSupervisor(o: { base: string; name: string; log: Logger }): Promise<void> {
  const cluster = readCluster(o.base, o.name);
  if (!cluster) throw new Error(`no cluster named "${o.name}" under ${o.base}`);
  const files = clusterFiles(cluster.dir);
  const log = o.log.with({ cluster: cluster.name });
  const previous = readStatus(cluster);
  const save = () =>
    writeJSON(files.status, {
      supervisorPid: process.pid,
      updatedAt: new Date().toISOString(),
      nodes: nodes.status(),
    });
  const nodes: NodeSupervisor = new NodeSupervisor({
    nodes: cluster.nodes,
    launch,
    beforeStart: async (node) => {
      await reapNode(cluster, node);
      await powerOn(runCommand, cluster, node);
    },
    afterStop: async (node) => {
      await reapNode(cluster, node);
      await powerOff(runCommand, node);
    },
    clock: realClock,
    log,
    onChange: save,
  });
  const starts: Promise<void>[] = [];
  for (const node of cluster.nodes) {
    const was = previous?.nodes.find((n) => n.name === node.name);
    if (was?.pid && processMatches(was.pid, launcherWords(node))) {
      nodes.adopt(node.name, adopted(was.pid, launcherWords(node), realClock), Date.now());
      log.info("adopted running node", { node: node.name, pid: was.pid });
    } else if (was?.desired !== "stopped") {
      starts.push(nodes.start(node.name));
    }
  }
  await Promise.all(starts);
  save();

  const stopAll = new AbortController();
  const handle = async (req: ControlRequest): Promise<ControlResponse> => {
    switch (req.op) {
      case "start":
        await nodes.start(req.node);
        return { ok: true, nodes: nodes.status() };
      case "stop":
        await nodes.stop(req.node);
        return { ok: true, nodes: nodes.status() };
      case "status":
        return { ok: true, nodes: nodes.status() };
      case "shutdown":
        setImmediate(() => stopAll.abort());
        await nodes.stopAll();
        return { ok: true, nodes: nodes.status() };
    }
  };
  // Several masters: kubectl on the host reaches them through the load balancer.
  let ca: string | undefined;
  const balancer = cluster.apiBalancerPort
    ? new ApiBalancer({
        host: "127.0.0.1",
        port: cluster.apiBalancerPort,
        backends: mastersOf(cluster).map((m) => ({ host: m.ip, port: cluster.apiPort })),
        clock: realClock,
        log: log.with({ component: "api-balancer" }),
        // /readyz once create has written the kubeconfig (the CA is in it), TCP before.
        probe: readyzProbe(() => (ca ??= clusterCA(files.kubeconfig))),
      })
    : undefined;
  if (balancer) {
    await balancer.start();
    log.info("API load balancer listening", { port: cluster.apiBalancerPort });
  }
  rmSync(files.socket, { force: true });
  const server = serveControl(files.socket, handle);
  process.once("SIGTERM", () => stopAll.abort());
  process.once("SIGINT", () => stopAll.abort());
  log.info("supervisor running", { pid: process.pid, nodes: cluster.nodes.length });

  await untilAborted(stopAll.signal);
  await balancer?.stop();
  await nodes.stopAll();
  save();
  server.close();
  rmSync(files.socket, { force: true });
  log.info("supervisor stopped");
}
