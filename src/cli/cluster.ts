/**
 * `bosun cluster`: local multi-node clusters on one Linux host, each node a set of namespaces
 * (src/cluster/). create | list | delete | node <action>, and the hidden `supervise` the
 * detached supervisor runs as.
 */
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { type NodeAction, nodeActions } from "../cluster/nodes.ts";
import { notRoot } from "../cluster/preflight.ts";
import type { ClusterRuntime } from "../cluster/spec.ts";
import { baseDir, listClusters, readCluster } from "../cluster/state.ts";
import { runCommand } from "../machinery/exec.ts";
import { parseGoDuration } from "../machinery/go-duration.ts";
import { createLogger } from "../machinery/log.ts";
import { type Command, UsageError } from "./command.ts";

// Subcommands load their parts on use: the long-lived supervisor then carries only its own.

const usage = `Usage: bosun cluster <command> [flags]

Local multi-node clusters: every node is its own network, mount, UTS and PID namespaces on this
host, on a LAN bridge the host reaches. Needs root and Linux.

Commands:
  create [--name N] [--workers 2] [--masters 1] [--runtime containerd|simulated] [--images DIR]
         [--server-arg=FLAG]... [--agent-arg=FLAG]... [--timeout 2m] [--retain]
                    create a cluster, wait until every node is Ready, print its kubeconfig path
  list [-o json]    the clusters with their nodes, roles, addresses and states
  delete NAME...    stop and remove clusters, leaving nothing behind
  node stop|start|freeze|thaw|disconnect|connect NODE [--name N]
                    power a node off or on, freeze or thaw its processes, unplug or plug its cable

Flags:
  --name N          the cluster (default "bosun"); nodes are N-master1, N-worker1, …
  --masters N       masters (default 1); several share a managed etcd (use 3: two cannot lose
                    one), and the printed kubeconfig names a load balancer on 127.0.0.1
  --server-arg=F    extra flag for the master's "bosun server" (e.g. --server-arg=--node-monitor-grace-period=10s)
  --agent-arg=F     extra flag for every "bosun agent" (on containerd the master's node is its
                    server's: give node flags such as --registry-mirror as --server-arg too)
  --runtime R       containerd (default: each node runs its own) or simulated (pods without containers)
  --images DIR      image archives every node imports at start (its agent's airgap folder)
  --state-dir DIR   where clusters keep their state (default $BOSUN_CLUSTER_DIR or /var/lib/bosun/clusters)`;

type Values = Record<string, string | boolean | string[] | undefined>;

function parse(args: string[], options: NonNullable<Parameters<typeof parseArgs>[0]>["options"]) {
  try {
    const r = parseArgs({ args, strict: true, allowPositionals: true, options });
    return { values: r.values as Values, positionals: r.positionals };
  } catch (err) {
    throw new UsageError((err as Error).message.split("\n")[0]!);
  }
}

const common = {
  "state-dir": { type: "string" },
  name: { type: "string", default: "bosun" },
} as const;

function count(v: Values, flag: string): number {
  const n = Number(v[flag]);
  if (!Number.isInteger(n) || n < 0) {
    throw new UsageError(`--${flag} must be a whole number, not "${v[flag]}"`);
  }
  return n;
}

/** The program that runs bosun now: the same runs inside the nodes and as the supervisor. */
const bosunCommand = () => [process.execPath, process.argv[1]!];

async function create(args: string[]): Promise<number> {
  const { values: v, positionals } = parse(args, {
    ...common,
    workers: { type: "string", default: "2" },
    masters: { type: "string", default: "1" },
    runtime: { type: "string", default: "containerd" },
    images: { type: "string" },
    "server-arg": { type: "string", multiple: true, default: [] },
    "agent-arg": { type: "string", multiple: true, default: [] },
    timeout: { type: "string", default: "2m" },
    retain: { type: "boolean", default: false },
  });
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  const runtime = v.runtime as string;
  if (runtime !== "simulated" && runtime !== "containerd") {
    throw new UsageError(`--runtime must be "simulated" or "containerd", not "${runtime}"`);
  }
  const timeoutMs = parseGoDuration(String(v.timeout));
  if (!timeoutMs || timeoutMs <= 0) throw new UsageError(`--timeout must be a duration like 2m`);
  const log = createLogger("cluster");
  const options = {
    base: baseDir(v["state-dir"] as string | undefined),
    name: String(v.name),
    masters: count(v, "masters"),
    workers: count(v, "workers"),
    runtime: runtime as ClusterRuntime,
    ...(v.images ? { images: resolve(String(v.images)) } : {}),
    serverArgs: v["server-arg"] as string[],
    agentArgs: v["agent-arg"] as string[],
    bosun: bosunCommand(),
    tokenGroups: (await import("./token.ts")).defaultTokenGroups,
    timeoutMs,
    retain: v.retain as boolean,
    run: runCommand,
    log,
    progress: (line: string) => process.stderr.write(`${line}\n`),
  };
  const { createCluster, requestProblem } = await import("../cluster/create.ts");
  const problem = requestProblem(options);
  if (problem) throw new UsageError(problem);
  const { kubeconfig } = await createCluster(options);
  process.stdout.write(`${kubeconfig}\n`);
  return 0;
}

async function list(args: string[]): Promise<number> {
  const { values: v } = parse(args, { ...common, output: { type: "string", short: "o" } });
  const { describeNodes, formatNodeRows } = await import("../cluster/nodes.ts");
  const clusters = listClusters(baseDir(v["state-dir"] as string | undefined));
  const rows = (await Promise.all(clusters.map((c) => describeNodes(c, runCommand)))).flat();
  if (v.output === "json") {
    process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
  } else if (v.output !== undefined) {
    throw new UsageError(`--output must be "json" or absent, not "${v.output}"`);
  } else if (rows.length === 0) {
    process.stderr.write("No clusters.\n");
  } else {
    process.stdout.write(`${formatNodeRows(rows)}\n`);
  }
  return 0;
}

function needRoot(): void {
  if ((process.getuid?.() ?? 0) !== 0) throw new Error(notRoot);
}

async function remove(args: string[]): Promise<number> {
  const { values: v, positionals } = parse(args, { "state-dir": { type: "string" } });
  if (positionals.length === 0) throw new UsageError("name the cluster(s) to delete");
  needRoot();
  const base = baseDir(v["state-dir"] as string | undefined);
  const log = createLogger("cluster");
  const { deleteCluster } = await import("../cluster/delete.ts");
  for (const name of positionals) {
    const cluster = readCluster(base, name);
    if (!cluster) throw new Error(`no cluster named "${name}" (see "bosun cluster list")`);
    const started = performance.now();
    await deleteCluster(cluster, { base, run: runCommand, log });
    process.stderr.write(
      `Deleted cluster "${name}" (${Math.round(performance.now() - started)} ms)\n`,
    );
  }
  return 0;
}

async function node(args: string[]): Promise<number> {
  const { values: v, positionals } = parse(args, common);
  const [action, nodeName, ...rest] = positionals;
  if (!action || !(nodeActions as readonly string[]).includes(action)) {
    throw new UsageError(`node needs an action: ${nodeActions.join(", ")}`);
  }
  if (!nodeName) throw new UsageError(`node ${action} needs a node name`);
  if (rest.length > 0) throw new UsageError(`unexpected argument "${rest[0]}"`);
  needRoot();
  const base = baseDir(v["state-dir"] as string | undefined);
  const cluster = readCluster(base, String(v.name));
  if (!cluster) throw new Error(`no cluster named "${v.name}" (see "bosun cluster list")`);
  const { findNode, nodeAction } = await import("../cluster/nodes.ts");
  const target = findNode(cluster, nodeName);
  await nodeAction(cluster, target, action as NodeAction, {
    run: runCommand,
    base,
    bosun: bosunCommand(),
  });
  process.stderr.write(`node ${target.name}: ${action} done\n`);
  return 0;
}

async function supervise(args: string[]): Promise<number> {
  const { values: v, positionals } = parse(args, { "state-dir": { type: "string" } });
  const name = positionals[0];
  if (!name) throw new UsageError("supervise needs the cluster name");
  const { runSupervisor } = await import("../cluster/supervise.ts");
  await runSupervisor({
    base: baseDir(v["state-dir"] as string | undefined),
    name,
    log: createLogger("cluster-supervisor"),
  });
  return 0;
}

const subcommands: Record<string, (args: string[]) => Promise<number>> = {
  create,
  list,
  delete: remove,
  node,
  supervise,
};

export const clusterCommand: Command = {
  name: "cluster",
  summary: "Local multi-node clusters in Linux namespaces (create, list, delete, node faults)",
  usage,
  async run(args) {
    // The tools live in sbin, which a user's PATH may lack; children inherit this.
    const path = (process.env.PATH ?? "").split(":").filter(Boolean);
    for (const dir of ["/usr/sbin", "/sbin", "/usr/bin", "/bin"]) {
      if (!path.includes(dir)) path.push(dir);
    }
    process.env.PATH = path.join(":");
    const [sub, ...rest] = args;
    const fn = sub ? subcommands[sub] : undefined;
    if (!fn) {
      throw new UsageError(
        sub ? `unknown cluster command "${sub}"` : "name a command: create, list, delete, node",
      );
    }
    return fn(rest);
  },
};
