/**
 * The layout of a local cluster, decided once by `create` and saved as `cluster.json`: its nodes,
 * their names, roles and LAN addresses, the network namespaces and links, and where each node
 * keeps its data. A pure function of the request and the LAN index, so it is tested as data.
 *
 *   host ── <hostLink> 172.31.<i>.1 ── [netns bosun-<c>-lan: bridge br0] ── n<k> ══ eth0 of node k
 *   node k: netns bosun-<node>, eth0 172.31.<i>.<10+k>/24, default via 172.31.<i>.1
 */
import { join } from "node:path";

export type NodeRole = "master" | "worker";
export type ClusterRuntime = "simulated" | "containerd";

export interface NodeSpec {
  readonly name: string;
  readonly role: NodeRole;
  /** 1-based position in the cluster; the LAN port is `n<index>`, the address `.<10+index>`. */
  readonly index: number;
  readonly ip: string;
  /** Network namespace (a file under /run/netns). */
  readonly netns: string;
  /** The node's port on the LAN bridge, in the LAN namespace; its peer is `eth0` in the node. */
  readonly lanLink: string;
  /** `<cluster dir>/nodes/<name>`: data/, fs/ (private copies of well-known paths), logs/. */
  readonly dir: string;
}

export interface ClusterSpec {
  readonly version: 1;
  readonly name: string;
  /** Which 172.31.<index>.0/24 the LAN uses; also names the host's link. */
  readonly index: number;
  readonly dir: string;
  readonly runtime: ClusterRuntime;
  readonly lan: {
    readonly netns: string;
    readonly bridge: string;
    readonly hostLink: string;
    readonly subnet: string;
    readonly prefixLength: number;
    readonly hostIP: string;
  };
  readonly apiPort: number;
  /**
   * With several masters: the host port of the supervisor's API load balancer (127.0.0.1), which
   * the host kubeconfig points at (lb.ts).
   */
  readonly apiBalancerPort?: number;
  readonly nodes: readonly NodeSpec[];
  /** Extra `bosun server` / `bosun agent` flags, as given to `create`. */
  readonly serverArgs: readonly string[];
  readonly agentArgs: readonly string[];
  /** Image archives every node imports at start (the agent's airgap folder), if any. */
  readonly images?: string;
  /** How to run `bosun` (node binary and entry script), inside nodes as on the host. */
  readonly bosun: readonly string[];
  readonly createdAt: string;
}

export interface ClusterRequest {
  readonly name: string;
  readonly masters: number;
  readonly workers: number;
  readonly runtime: ClusterRuntime;
  readonly index: number;
  readonly baseDir: string;
  readonly serverArgs?: readonly string[];
  readonly agentArgs?: readonly string[];
  readonly images?: string;
  readonly bosun: readonly string[];
  readonly now: Date;
  /** The API load balancer's host port (several masters). */
  readonly apiBalancerPort?: number;
}

/** The most nodes one LAN /24 holds at .11 and up. */
export const maxNodes = 200;
export const maxLanIndex = 255;
const clusterNamePattern = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Why `name` cannot name a cluster, or undefined. Names become node, netns and path names. */
export function clusterNameProblem(name: string): string | undefined {
  if (name.length > 32) return `cluster name "${name}" is longer than 32 characters`;
  if (!clusterNamePattern.test(name)) {
    return `cluster name "${name}" must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character`;
  }
  return undefined;
}

export function nodeNames(cluster: string, masters: number, workers: number): string[] {
  return [
    ...Array.from({ length: masters }, (_, i) => `${cluster}-master${i + 1}`),
    ...Array.from({ length: workers }, (_, i) => `${cluster}-worker${i + 1}`),
  ];
}

export function lanSubnet(index: number): string {
  return `172.31.${index}.0/24`;
}

export function clusterSpec(r: ClusterRequest): ClusterSpec {
  const dir = join(r.baseDir, r.name);
  const prefix = `172.31.${r.index}`;
  const nodes = nodeNames(r.name, r.masters, r.workers).map(
    (name, i): NodeSpec => ({
      name,
      role: i < r.masters ? "master" : "worker",
      index: i + 1,
      ip: `${prefix}.${11 + i}`,
      netns: `bosun-${name}`,
      lanLink: `n${i + 1}`,
      dir: join(dir, "nodes", name),
    }),
  );
  return {
    version: 1,
    name: r.name,
    index: r.index,
    dir,
    runtime: r.runtime,
    lan: {
      netns: `bosun-${r.name}-lan`,
      bridge: "br0",
      hostLink: `bosun-lan${r.index}`,
      subnet: lanSubnet(r.index),
      prefixLength: 24,
      hostIP: `${prefix}.1`,
    },
    apiPort: 6443,
    ...(r.masters > 1 && r.apiBalancerPort ? { apiBalancerPort: r.apiBalancerPort } : {}),
    nodes,
    serverArgs: r.serverArgs ?? [],
    agentArgs: r.agentArgs ?? [],
    ...(r.images ? { images: r.images } : {}),
    bosun: r.bosun,
    createdAt: r.now.toISOString(),
  };
}

export const masterOf = (spec: ClusterSpec): NodeSpec =>
  spec.nodes.find((n) => n.role === "master") ?? spec.nodes[0]!;

export const serverURL = (spec: ClusterSpec): string =>
  `https://${masterOf(spec).ip}:${spec.apiPort}`;

export const mastersOf = (spec: ClusterSpec): NodeSpec[] =>
  spec.nodes.filter((n) => n.role === "master");

/** The address the host's kubeconfig names: the load balancer with several masters. */
export const hostServerURL = (spec: ClusterSpec): string =>
  spec.apiBalancerPort ? `https://127.0.0.1:${spec.apiBalancerPort}` : serverURL(spec);

/** Files of a cluster's directory. */
export const clusterFiles = (dir: string) => ({
  spec: join(dir, "cluster.json"),
  status: join(dir, "status.json"),
  kubeconfig: join(dir, "kubeconfig"),
  join: join(dir, "join.env"),
  socket: join(dir, "supervisor.sock"),
  supervisorLog: join(dir, "supervisor.log"),
});

/** Files of a node's directory. */
export const nodeFiles = (node: NodeSpec) => ({
  init: join(node.dir, "init.sh"),
  data: join(node.dir, "data"),
  fs: join(node.dir, "fs"),
  logs: join(node.dir, "logs"),
  console: join(node.dir, "logs", "init.log"),
});
