/**
 * `bosun cluster create`: checks the host, claims a name and a LAN, builds the network and the
 * nodes' cgroups and directories, starts the detached supervisor (which launches every node),
 * then drives the join: host kubeconfig once the master's API server is ready, a bootstrap
 * token and the join file, and a wait until every node is Ready. On failure everything built
 * is taken down again (unless `retain`), so a failed create leaves the host as it was.
 */
import { existsSync, mkdirSync, statSync, writeFileSync } from "node:fs";
import { type AddressInfo, createServer } from "node:net";
import { join } from "node:path";
import type { RunCommand } from "../machinery/exec.ts";
import type { Logger } from "../machinery/log.ts";
import { createNodeCgroups, hostCgroups, initProcsFiles } from "./cgroups.ts";
import { deleteCluster } from "./delete.ts";
import {
  labelMasters,
  publishJoinToken,
  waitForReadyNodes,
  waitForServer,
  writeHostKubeconfig,
} from "./join.ts";
import { createNetwork, hostPrefixes, prefixesOverlap } from "./network.ts";
import { allPrivatePaths, nodeInitScript } from "./node-init.ts";
import { preflightProblem, realHostFacts } from "./preflight.ts";
import {
  type ClusterRuntime,
  clusterFiles,
  clusterNameProblem,
  clusterSpec,
  hostServerURL,
  lanSubnet,
  masterOf,
  maxLanIndex,
  maxNodes,
  nodeFiles,
  serverURL,
} from "./spec.ts";
import {
  hostDirsRecord,
  hostLockFile,
  listClusters,
  makeHostDirs,
  readCluster,
  readLogTail,
  type SavedCluster,
  withLock,
  writeJSON,
} from "./state.ts";
import { startSupervisor } from "./supervisor-process.ts";

export interface CreateOptions {
  readonly base: string;
  readonly name: string;
  readonly masters: number;
  readonly workers: number;
  readonly runtime: ClusterRuntime;
  readonly images?: string;
  readonly serverArgs: readonly string[];
  readonly agentArgs: readonly string[];
  /** How to run `bosun` (node binary and entry script). */
  readonly bosun: readonly string[];
  /** Groups of the join token (`bosun token create`'s default). */
  readonly tokenGroups: readonly string[];
  readonly timeoutMs: number;
  /** Keep what was built when create fails (to look at the logs). */
  readonly retain: boolean;
  readonly run: RunCommand;
  readonly log: Logger;
  /** One line of progress for the user. */
  readonly progress: (line: string) => void;
}

/** Checks that do not touch the host; one line each. */
export function requestProblem(o: CreateOptions): string | undefined {
  const bad = clusterNameProblem(o.name);
  if (bad) return bad;
  if (o.masters < 1) return "a cluster needs at least one master (--masters 1)";
  if (o.masters + o.workers > maxNodes) return `a cluster has at most ${maxNodes} nodes`;
  if (o.images && !(existsSync(o.images) && statSync(o.images).isDirectory())) {
    return `--images ${o.images} is not a directory`;
  }
  return undefined;
}

/**
 * Claims the name and a free LAN, saves the layout and builds the network, under the host lock
 * (so a concurrent create sees this LAN's addresses before it picks its own).
 */
async function claim(o: CreateOptions): Promise<SavedCluster> {
  const cgroups = hostCgroups(o.name);
  const problem = preflightProblem(realHostFacts(cgroups), o.runtime);
  if (problem) throw new Error(problem);
  return withLock(hostLockFile(o.base), async () => {
    const probe = clusterSpec({ ...o, index: 0, baseDir: o.base, now: new Date() });
    const taken = [probe.lan.netns, ...probe.nodes.map((n) => n.netns)].find((ns) =>
      existsSync(join("/run/netns", ns)),
    );
    if (readCluster(o.base, o.name) || existsSync(join(o.base, o.name)) || taken) {
      const where = taken ? ` (network namespace ${taken} exists; another --state-dir?)` : "";
      throw new Error(
        `a cluster named "${o.name}" already exists${where}; delete it first (bosun cluster delete ${o.name})`,
      );
    }
    const prefixes = await hostPrefixes(o.run);
    const used = new Set(listClusters(o.base).map((c) => c.index));
    let index = 0;
    while (
      index <= maxLanIndex &&
      (used.has(index) || prefixes.some((p) => prefixesOverlap(p, lanSubnet(index))))
    ) {
      index++;
    }
    if (index > maxLanIndex) throw new Error("no free 172.31.x.0/24 LAN left on this host");
    // Several masters: the host kubeconfig names the supervisor's load balancer (lb.ts).
    const apiBalancerPort = o.masters > 1 ? await freeHostPort() : undefined;
    const spec = clusterSpec({
      ...o,
      index,
      baseDir: o.base,
      now: new Date(),
      ...(apiBalancerPort ? { apiBalancerPort } : {}),
    });
    const saved: SavedCluster = { ...spec, cgroups };
    mkdirSync(spec.dir, { recursive: true, mode: 0o700 });
    writeJSON(clusterFiles(spec.dir).spec, saved);
    makeHostDirs(hostDirsRecord(o.base), allPrivatePaths());
    try {
      await createNetwork(o.run, saved);
    } catch (err) {
      await deleteCluster(saved, { base: o.base, run: o.run, log: o.log }).catch(() => {});
      throw err;
    }
    return saved;
  });
}

/** A port nothing listens on now, on the host's loopback. */
function freeHostPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function prepareNodes(cluster: SavedCluster): void {
  for (const node of cluster.nodes) {
    const f = nodeFiles(node);
    for (const d of [f.data, f.fs, f.logs]) mkdirSync(d, { recursive: true, mode: 0o700 });
    const procs = initProcsFiles(cluster.cgroups, node.name);
    writeFileSync(f.init, nodeInitScript(cluster, node, procs), { mode: 0o755 });
    createNodeCgroups(cluster.cgroups, node.name);
  }
}

const seconds = (since: number) => `${((performance.now() - since) / 1000).toFixed(1)} s`;

export async function createCluster(o: CreateOptions): Promise<{ kubeconfig: string }> {
  const started = performance.now();
  const cluster = await claim(o);
  const deadline = Date.now() + o.timeoutMs;
  const counts = `${o.masters} master, ${o.workers} worker${o.workers === 1 ? "" : "s"}`;
  o.progress(`Creating cluster "${o.name}" (${counts}, runtime ${o.runtime})`);
  if (o.masters === 2) {
    o.progress(
      " ! two masters cannot lose either one (etcd needs a majority of 2): use --masters 3",
    );
  }
  try {
    prepareNodes(cluster);
    o.progress(
      ` ✓ network ${cluster.lan.subnet} (host ${cluster.lan.hostIP}), ${cluster.nodes.length} nodes prepared (${seconds(started)})`,
    );
    const pid = await startSupervisor(cluster, { base: o.base, bosun: o.bosun, deadline });
    o.progress(` ✓ nodes started by supervisor ${pid} (${seconds(started)})`);
    const kubeconfig = await writeHostKubeconfig(cluster, deadline);
    const client = await waitForServer(kubeconfig, deadline);
    o.progress(` ✓ control plane ready at ${serverURL(cluster)} (${seconds(started)})`);
    if (cluster.apiBalancerPort) {
      o.progress(
        ` ✓ API load balancer at ${hostServerURL(cluster)} over ${o.masters} masters (${seconds(started)})`,
      );
    }
    try {
      await publishJoinToken(client, cluster, { groups: o.tokenGroups, deadline });
      o.progress(` ✓ join token published; nodes joining (${seconds(started)})`);
      await waitForReadyNodes(client, cluster, {
        deadline,
        onReady: (name) => o.progress(` ✓ node ${name} Ready (${seconds(started)})`),
      });
      await labelMasters(client, cluster);
    } finally {
      client.close();
    }
    o.progress(`Cluster "${o.name}" is ready (${seconds(started)}). Use it with:`);
    o.progress(`  kubectl --kubeconfig ${kubeconfig} get nodes -o wide`);
    return { kubeconfig };
  } catch (err) {
    const master = masterOf(cluster);
    const tail = readLogTail(join(nodeFiles(master).logs, "server.log"));
    if (tail) o.log.error("the master's server log ends with", { tail });
    if (!o.retain) {
      o.progress(` ✗ ${(err as Error).message}; removing what was built`);
      await deleteCluster(cluster, { base: o.base, run: o.run, log: o.log }).catch((e: unknown) =>
        o.log.error("cleanup after the failed create failed too", { err: e }),
      );
    } else {
      o.progress(` ✗ ${(err as Error).message}; kept for inspection under ${cluster.dir}`);
    }
    throw err;
  }
}
