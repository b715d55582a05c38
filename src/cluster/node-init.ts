/**
 * The isolated node launcher (node-networking reference, §4): `nsenter --net` into the node's
 * network namespace, then `unshare` private mount, UTS and PID namespaces with a fresh /proc,
 * join the node's cgroups and exec the node's init script as PID 1. Killing the launcher
 * (`--kill-child`) kills the init and with it every process of the node, containers included.
 *
 * The init (a generated bash script: Node.js cannot reap orphans as PID 1) names the host,
 * remounts sysfs for the node's netns (keeping the cgroup mounts), bind-mounts the node's own
 * copies of the paths node daemons share by default, and runs the node's daemons, restarting
 * any that exits. Agents wait for the join file `create` writes once the join token exists.
 */
import { join } from "node:path";
import { shellQuote } from "../machinery/exec.ts";
import { nodeCgroupPath } from "./cgroups.ts";
import { type ClusterSpec, clusterFiles, type NodeSpec, nodeFiles } from "./spec.ts";

/** Paths each node gets its own copy of; the /run ones start empty at every boot. */
export const privatePaths = {
  boot: ["/run/bosun", "/run/containerd", "/run/netns"],
  persistent: [
    "/var/lib/containerd",
    "/var/lib/kubelet",
    "/var/lib/cni",
    "/etc/cni/net.d",
    "/var/log/pods",
    "/var/log/containers",
  ],
} as const;

export const allPrivatePaths = (): string[] => [...privatePaths.boot, ...privatePaths.persistent];

/** argv of the launcher for one node (what the supervisor spawns). */
export function launcherCommand(node: NodeSpec): string[] {
  return [
    "nsenter",
    `--net=/run/netns/${node.netns}`,
    "unshare",
    "--mount",
    "--uts",
    "--pid",
    "--fork",
    "--kill-child",
    "--propagation",
    "private",
    "--mount-proc",
    "bash",
    nodeFiles(node).init,
  ];
}

/** Words of a live launcher's command line (nsenter has exec'd unshare by then). */
export const launcherWords = (node: NodeSpec): string[] => ["unshare", nodeFiles(node).init];

const q = (words: readonly string[]) => words.map(shellQuote).join(" ");

/** Pods' cgroups under the node's own root, so freezing and removing a node covers them. */
const containerdArgs = (spec: ClusterSpec, node: NodeSpec) => [
  "--cgroup-root",
  nodeCgroupPath(spec.name, node.name),
];

const severalMasters = (spec: ClusterSpec) =>
  spec.nodes.filter((n) => n.role === "master").length > 1;
/** The first master starts the cluster; with several, the others join it (`joinsAsMaster`). */
const joinsAsMaster = (spec: ClusterSpec, node: NodeSpec) =>
  severalMasters(spec) && node.role === "master" && node.index > 1;

function serverCommand(spec: ClusterSpec, node: NodeSpec): string[] {
  return [
    ...spec.bosun,
    "server",
    "--data-dir",
    nodeFiles(node).data,
    "--https-port",
    String(spec.apiPort),
    // Several masters: a managed etcd member each, the first one starting the cluster; each
    // advertises its LAN address (the kubernetes Endpoints, etcd peers, its certificate).
    ...(severalMasters(spec) ? ["--advertise-address", node.ip] : []),
    ...(severalMasters(spec) && !joinsAsMaster(spec, node) ? ["--cluster-init"] : []),
    // Leaders move within 15 s of losing their master: a 10 s lease (upstream's 15 s lease makes
    // a takeover take 15-17 s). A --server-arg given later wins.
    ...(severalMasters(spec) ? ["--leader-elect-lease-duration=10s"] : []),
    // A simulated master's node is an agent process like the workers' (see agentCommand); a
    // containerd master's server runs its node itself.
    ...(spec.runtime === "simulated"
      ? ["--disable-agent"]
      : ["--node-name", node.name, "--node-ip", node.ip, ...containerdArgs(spec, node)]),
    ...spec.serverArgs,
  ];
}

function agentCommand(spec: ClusterSpec, node: NodeSpec): string {
  const fixed = q([
    ...spec.bosun,
    "agent",
    "--data-dir",
    nodeFiles(node).data,
    "--node-name",
    node.name,
    "--node-ip",
    node.ip,
    "--runtime",
    spec.runtime,
    ...(spec.runtime === "containerd" ? containerdArgs(spec, node) : []),
    ...spec.agentArgs,
  ]);
  return `${fixed} --server "$BOSUN_JOIN_SERVER" --token "$BOSUN_JOIN_TOKEN" --ca-cert-hash "$BOSUN_JOIN_CA_CERT_HASH"`;
}

/** A further master waits for the join file too, and joins with the control-plane token. */
function joiningServerCommand(spec: ClusterSpec, node: NodeSpec): string {
  const fixed = q(serverCommand(spec, node));
  return `${fixed} --server "$BOSUN_JOIN_SERVER" --token "$BOSUN_SERVER_JOIN_TOKEN" --ca-cert-hash "$BOSUN_JOIN_CA_CERT_HASH"`;
}

/** Whether the node runs an agent process (a containerd master's server runs its own). */
export const runsAgent = (spec: ClusterSpec, node: NodeSpec): boolean =>
  node.role === "worker" || spec.runtime === "simulated";

export function nodeInitScript(
  spec: ClusterSpec,
  node: NodeSpec,
  procsFiles: readonly string[],
): string {
  const f = nodeFiles(node);
  const joinFile = clusterFiles(spec.dir).join;
  const lines = [
    "#!/bin/bash",
    `# PID 1 of node ${node.name} of cluster ${spec.name}: generated by "bosun cluster create"`,
    "# (src/cluster/node-init.ts). Runs in the node's own network, mount, UTS and PID namespaces.",
    "set -u",
    `node=${shellQuote(node.name)}`,
    `dir=${shellQuote(node.dir)}`,
    `logs=${shellQuote(f.logs)}`,
    `join=${shellQuote(joinFile)}`,
    'log() { echo "$(date -u +%Y-%m-%dT%H:%M:%S.%3NZ) init: $*"; }',
    "# into the node's cgroups first: everything started below inherits them",
    `for f in ${q(procsFiles)}; do echo $$ > "$f" || log "cannot join $f"; done`,
    'hostname "$node"',
    "echo 1 > /proc/sys/net/ipv4/ip_forward",
    "f=/proc/sys/net/bridge/bridge-nf-call-iptables; [ -e $f ] && echo 1 > $f",
    "# sysfs of this network namespace, keeping the cgroup mounts",
    'mkdir -p "$dir/.cgroup"',
    'mount --rbind /sys/fs/cgroup "$dir/.cgroup"',
    "umount -l /sys",
    "mount -t sysfs sysfs /sys",
    'mount --move "$dir/.cgroup" /sys/fs/cgroup',
    "# the host's namespace files (nsfs mounts): copies here would keep those namespaces alive",
    'awk \'{for (i = 7; i < NF; i++) if ($i == "-") { if ($(i + 1) == "nsfs") print $5; break }}\' \\',
    '  /proc/self/mountinfo | sort -r | while read -r m; do umount -l "$m"; done',
    "# the node's own copies of paths its daemons would otherwise share with other nodes",
    'rm -rf "$dir/fs/run"',
    `for p in ${q(allPrivatePaths())}; do`,
    '  mkdir -p "$dir/fs$p" "$p" && mount --bind "$dir/fs$p" "$p" || log "cannot mount $p"',
    "done",
    ...(spec.images
      ? [
          `mkdir -p ${shellQuote(join(f.data, "agent", "images"))}`,
          `mount --bind -o ro ${shellQuote(spec.images)} ${shellQuote(join(f.data, "agent", "images"))}`,
        ]
      : []),
    "# daemon NAME CMD...: runs CMD, restarting it a second after it exits",
    "daemon() {",
    "  local name=$1; shift",
    '  ( while :; do "$@" >>"$logs/$name.log" 2>&1 </dev/null',
    '      log "$name exited with $?; restarting in 1s" >>"$logs/$name.log"; sleep 1; done ) &',
    "}",
    "agent() {",
    '  until [ -s "$join" ]; do sleep 0.05; done',
    '  . "$join"',
    `  ${agentCommand(spec, node)}`,
    "}",
    ...(joinsAsMaster(spec, node)
      ? [
          "server() {",
          '  until [ -s "$join" ]; do sleep 0.05; done',
          '  . "$join"',
          `  ${joiningServerCommand(spec, node)}`,
          "}",
          "daemon server server",
        ]
      : node.role === "master"
        ? [`daemon server ${q(serverCommand(spec, node))}`]
        : []),
    ...(runsAgent(spec, node) ? ["daemon agent agent"] : []),
    'log "node $node up"',
    "trap 'log \"stopping\"; kill -TERM -1 2>/dev/null; sleep 2; exit 0' TERM INT",
    "while :; do wait -n 2>/dev/null || sleep 1; done",
    "",
  ];
  return lines.join("\n");
}
