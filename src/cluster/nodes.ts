/**
 * Fault injection on one node (`bosun cluster node stop|start|freeze|thaw|disconnect|connect`)
 * and what `list` shows about each node. Stop and start go through the supervisor (it owns the
 * processes); freezing and the cable are kernel state, read back from the kernel for `list`.
 */

import type { RunCommand } from "../machinery/exec.ts";
import { isFrozen, nodePids, setFrozen } from "./cgroups.ts";
import { sendControl } from "./control.ts";
import { linksUp, setCable } from "./network.ts";
import { launcherWords } from "./node-init.ts";
import { clusterFiles, type NodeRole, type NodeSpec } from "./spec.ts";
import { processMatches, readStatus, type SavedCluster } from "./state.ts";
import { ensureSupervisor, supervisorWords } from "./supervisor-process.ts";

export const nodeActions = ["stop", "start", "freeze", "thaw", "disconnect", "connect"] as const;
export type NodeAction = (typeof nodeActions)[number];

export function findNode(cluster: SavedCluster, name: string): NodeSpec {
  const node =
    cluster.nodes.find((n) => n.name === name) ??
    cluster.nodes.find((n) => n.name === `${cluster.name}-${name}`);
  if (!node) {
    throw new Error(
      `cluster "${cluster.name}" has no node "${name}" (its nodes: ${cluster.nodes.map((n) => n.name).join(", ")})`,
    );
  }
  return node;
}

export async function nodeAction(
  cluster: SavedCluster,
  node: NodeSpec,
  action: NodeAction,
  o: { run: RunCommand; base: string; bosun: readonly string[] },
): Promise<void> {
  switch (action) {
    case "stop":
    case "start": {
      await ensureSupervisor(cluster, o);
      const r = await sendControl(clusterFiles(cluster.dir).socket, {
        op: action,
        node: node.name,
      });
      if (!r.ok) throw new Error(r.error);
      return;
    }
    case "freeze":
    case "thaw":
      return setFrozen(cluster.cgroups, node.name, action === "freeze");
    case "disconnect":
    case "connect":
      return setCable(o.run, cluster, node, action === "connect");
  }
}

export interface NodeRow {
  readonly cluster: string;
  readonly name: string;
  readonly role: NodeRole;
  readonly ip: string;
  /** running | stopped, plus ",frozen" and ",disconnected" when so. */
  readonly state: string;
  readonly pid?: number;
}

/** Every process of a cluster: its supervisor, the node launchers and all inside the nodes. */
export function clusterPids(cluster: SavedCluster): number[] {
  const status = readStatus(cluster);
  const pids = new Set<number>();
  if (processMatches(status?.supervisorPid, supervisorWords(cluster.name))) {
    pids.add(status!.supervisorPid);
  }
  for (const node of cluster.nodes) {
    const launcher = status?.nodes.find((n) => n.name === node.name)?.pid;
    if (launcher && processMatches(launcher, launcherWords(node))) pids.add(launcher);
    for (const pid of nodePids(cluster.cgroups, node.name)) pids.add(pid);
  }
  return [...pids];
}

export async function describeNodes(cluster: SavedCluster, run: RunCommand): Promise<NodeRow[]> {
  const status = readStatus(cluster);
  const supervised = processMatches(status?.supervisorPid, supervisorWords(cluster.name));
  const cables = await linksUp(run, cluster.lan.netns);
  return cluster.nodes.map((node) => {
    const s = status?.nodes.find((n) => n.name === node.name);
    const alive = s?.pid !== undefined && processMatches(s.pid, launcherWords(node));
    const states = [alive ? "running" : supervised ? "stopped" : "down"];
    if (alive && isFrozen(cluster.cgroups, node.name)) states.push("frozen");
    if (cables.get(node.lanLink) === false) states.push("disconnected");
    return {
      cluster: cluster.name,
      name: node.name,
      role: node.role,
      ip: node.ip,
      state: states.join(","),
      ...(alive && s?.pid ? { pid: s.pid } : {}),
    };
  });
}

export function formatNodeRows(rows: readonly NodeRow[]): string {
  const table = [["CLUSTER", "NODE", "ROLE", "ADDRESS", "STATE"]];
  for (const r of rows) table.push([r.cluster, r.name, r.role, r.ip, r.state]);
  const widths = table[0]!.map((_, i) => Math.max(...table.map((row) => row[i]!.length)));
  return table
    .map((row) =>
      row
        .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]! + 3)))
        .join("")
        .trimEnd(),
    )
    .join("\n");
}
