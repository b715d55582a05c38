/**
 * The real node: the kubelet on containerd, as `bosun agent --runtime containerd` and
 * `bosun server` (unless --disable-agent) run it. This file wires the concrete parts:
 *
 *   <data-dir>/agent/containerd/   config.toml, root/, opt/, net.d/ (CNI), certs.d/ (mirrors), containerd.log
 *   /run/bosun/<id>/               containerd's state, socket and runc root (tmpfs; short socket path),
 *                                  removed at stop unless pods still run from it
 *   <data-dir>/agent/kubelet/      pods/<uid>/ (volumes, etc-hosts, termination logs)
 *   <data-dir>/agent/pod-logs/     container logs (upstream /var/log/pods)
 *   <data-dir>/agent/cni/          host-local IP leases
 *   <data-dir>/agent/images/       image archives imported at start (airgap)
 *   <data-dir>/storage/            local-path volumes, pvc-<uid>_<ns>_<claim> (as k3s's storage/)
 *
 * With --container-runtime-endpoint the agent uses that containerd instead and writes no
 * containerd or CNI configuration.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, posix, resolve } from "node:path";
import { createEventRecorder } from "../client/event-recorder.ts";
import type { RestClient } from "../client/rest-client.ts";
import { cniConfigFileName, podNetworkConflist } from "../kubelet/containerd/cni-config.ts";
import { containerdConfig } from "../kubelet/containerd/config.ts";
import { cgroupVersion, findCniBinDir, hasCapSysResource } from "../kubelet/containerd/host.ts";
import { removeAbandonedTasks, removeRunDirIfIdle } from "../kubelet/containerd/run-dir.ts";
import { ContainerdSupervisor } from "../kubelet/containerd/supervisor.ts";
import { CriClient } from "../kubelet/cri/grpc-client.ts";
import { hostNodeInfo } from "../kubelet/host-node-info.ts";
import { importImageTarballs } from "../kubelet/images/import-tarballs.ts";
import { ensurePauseImage, PAUSE_IMAGE } from "../kubelet/images/pause-image.ts";
import { writeRegistryHosts } from "../kubelet/images/registry-hosts.ts";
import {
  mergeRegistryConfigs,
  parseRegistriesYaml,
  parseRegistryMirrorFlags,
} from "../kubelet/images/registry-mirrors.ts";
import { Kubelet } from "../kubelet/kubelet.ts";
import { ContainerdRuntime } from "../kubelet/kuberuntime/containerd-runtime.ts";
import { SysfsCgroupCleaner } from "../kubelet/kuberuntime/pod-cgroups.ts";
import { hostLocalPathFs, LocalPathStorage } from "../kubelet/local-path-storage.ts";
import { ContainerLogManager } from "../kubelet/logs/container-log-manager.ts";
import { PodRoutes } from "../kubelet/network/pod-routes.ts";
import { ApiPodObjects } from "../kubelet/pod-objects.ts";
import { InformerPodSource } from "../kubelet/pod-source.ts";
import { startKubeletServer } from "../kubelet/server/start-kubelet-server.ts";
import { SystemMounter } from "../kubelet/volumes/mounter.ts";
import { VolumeManager } from "../kubelet/volumes/volume-manager.ts";
import { realClock } from "../machinery/clock.ts";
import { runCommand } from "../machinery/exec.ts";
import { parseGoDuration } from "../machinery/go-duration.ts";
import type { Logger } from "../machinery/log.ts";
import { parseQuantity } from "../machinery/quantity.ts";
import { hostResolvConfPath, parseResolvConf } from "../machinery/resolv-conf.ts";
import { UsageError } from "./command.ts";

/** parseArgs options shared by `bosun agent` and `bosun server`. */
export const containerdNodeFlags = {
  "container-runtime-endpoint": { type: "string" },
  "registry-mirror": { type: "string", multiple: true, default: [] as string[] },
  "cluster-dns": { type: "string", default: "10.96.0.10" },
  "cluster-domain": { type: "string", default: "cluster.local" },
  "max-pods": { type: "string", default: "110" },
  "kubelet-port": { type: "string", default: "10250" },
  "container-log-max-size": { type: "string", default: "10Mi" },
  "container-log-max-files": { type: "string", default: "5" },
  "container-log-monitor-interval": { type: "string", default: "10s" },
  "cgroup-root": { type: "string" },
} as const;

export const containerdNodeUsage = `  --container-runtime-endpoint SOCK  use this containerd instead of starting one
  --registry-mirror [HOST=]URL      pull HOST's images (all without HOST=) from URL only; repeatable
  --cluster-dns IP                  pods' DNS server (default 10.96.0.10)
  --cluster-domain NAME             cluster domain (default cluster.local)
  --max-pods N                      pods this node runs (default 110)
  --kubelet-port PORT               the kubelet's HTTPS API: logs, exec, port-forward (default 10250)
  --container-log-max-size SIZE     rotate a container's log at this size (default 10Mi)
  --container-log-max-files N       log files kept per container, the current one included (default 5)
  --container-log-monitor-interval DUR  how often log sizes are checked (default 10s)
  --cgroup-root PATH                cgroup the pods' kubepods/ lives under (default /)`;

export interface ContainerdNodeSettings {
  readonly dataDir: string;
  readonly nodeName: string;
  readonly nodeIP: string;
  readonly endpoint?: string;
  readonly registryMirrors: readonly string[];
  readonly clusterDNS: readonly string[];
  readonly clusterDomain: string;
  readonly maxPods: number;
  /** The kubelet server's port (0 picks a free one). */
  readonly kubeletPort: number;
  /** Container log rotation (upstream containerLogMaxSize, containerLogMaxFiles). */
  readonly containerLogMaxSizeBytes: number;
  readonly containerLogMaxFiles: number;
  readonly containerLogMonitorIntervalMs: number;
  readonly leaseDurationSeconds?: number;
  /** Upstream's --cgroup-root: pods go under <cgroupRoot>/kubepods (local clusters nest nodes). */
  readonly cgroupRoot?: string;
}

type Values = Record<string, string | boolean | string[] | undefined>;

export function containerdNodeSettings(
  v: Values,
  base: { dataDir: string; nodeName: string; nodeIP: string; leaseDurationSeconds?: number },
): ContainerdNodeSettings {
  const maxPods = Number(v["max-pods"] ?? 110);
  if (!Number.isInteger(maxPods) || maxPods < 1) {
    throw new UsageError(`--max-pods must be a whole number above 0, not "${v["max-pods"]}"`);
  }
  const kubeletPort = Number(v["kubelet-port"] ?? 10250);
  if (!Number.isInteger(kubeletPort) || kubeletPort < 0 || kubeletPort > 65535) {
    throw new UsageError(`--kubelet-port must be a port number, not "${v["kubelet-port"]}"`);
  }
  let containerLogMaxSizeBytes: number;
  try {
    containerLogMaxSizeBytes = parseQuantity(String(v["container-log-max-size"] ?? "10Mi")).value();
  } catch {
    throw new UsageError(
      `--container-log-max-size must be a size such as 10Mi, not "${v["container-log-max-size"]}"`,
    );
  }
  const containerLogMaxFiles = Number(v["container-log-max-files"] ?? 5);
  if (!Number.isInteger(containerLogMaxFiles) || containerLogMaxFiles < 2) {
    throw new UsageError(
      `--container-log-max-files must be a whole number of 2 or more, not "${v["container-log-max-files"]}"`,
    );
  }
  const containerLogMonitorIntervalMs = parseGoDuration(
    String(v["container-log-monitor-interval"] ?? "10s"),
  );
  if (containerLogMonitorIntervalMs === undefined || containerLogMonitorIntervalMs <= 0) {
    throw new UsageError(
      `--container-log-monitor-interval must be a duration such as 10s, not "${v["container-log-monitor-interval"]}"`,
    );
  }
  const endpoint = v["container-runtime-endpoint"] as string | undefined;
  const cgroupRoot = v["cgroup-root"] as string | undefined;
  if (cgroupRoot !== undefined && !cgroupRoot.startsWith("/")) {
    throw new UsageError(`--cgroup-root must be an absolute cgroup path, not "${cgroupRoot}"`);
  }
  return {
    ...base,
    dataDir: resolve(base.dataDir),
    ...(endpoint ? { endpoint: endpoint.replace(/^unix:\/\//, "") } : {}),
    registryMirrors: (v["registry-mirror"] as string[] | undefined) ?? [],
    clusterDNS: String(v["cluster-dns"] ?? "10.96.0.10")
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean),
    clusterDomain: String(v["cluster-domain"] ?? "cluster.local"),
    maxPods,
    kubeletPort,
    containerLogMaxSizeBytes,
    containerLogMaxFiles,
    containerLogMonitorIntervalMs,
    ...(cgroupRoot ? { cgroupRoot } : {}),
  };
}

export interface RunningNode {
  readonly kubelet: Kubelet;
  readonly socket: string;
  /** Stops the kubelet and, if the agent started it, containerd. Pods keep running. */
  stop(): Promise<void>;
}

/** Where a node keeps its parts, for a data dir (tests find the containerd socket here). */
export function nodeDirs(dataDir: string) {
  const agent = join(dataDir, "agent");
  const id = createHash("sha256").update(dataDir).digest("hex").slice(0, 12);
  const run = join("/run/bosun", id);
  return {
    agent,
    containerd: join(agent, "containerd"),
    run,
    socket: join(run, "containerd.sock"),
    kubelet: join(agent, "kubelet"),
    podLogs: join(agent, "pod-logs"),
    ipam: join(agent, "cni", "networks"),
    images: join(agent, "images"),
  };
}

/**
 * Finishes the task deletions a stopped containerd left half-done (their shims would run
 * forever, unknown to it): before containerd starts and after it stops.
 */
async function finishAbandonedTasks(dataDir: string, log: Logger): Promise<void> {
  const d = nodeDirs(dataDir);
  try {
    const removed = await removeAbandonedTasks(d.run, d.socket, { mounter: new SystemMounter() });
    for (const t of removed) log.warn("removed a task containerd left half-deleted", { ...t });
  } catch (err) {
    log.warn("could not remove the tasks containerd left half-deleted", { dir: d.run, err });
  }
}

async function startContainerd(s: ContainerdNodeSettings, log: Logger) {
  const d = nodeDirs(s.dataDir);
  for (const dir of [d.containerd, d.run, join(d.containerd, "net.d")]) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  }
  const registriesYaml = join(d.agent, "registries.yaml");
  const fromYaml = existsSync(registriesYaml)
    ? parseRegistriesYaml(readFileSync(registriesYaml, "utf8"))
    : { mirrors: {}, warnings: [] };
  for (const w of fromYaml.warnings) log.warn(w, { file: registriesYaml });
  const registry = mergeRegistryConfigs(fromYaml, parseRegistryMirrorFlags(s.registryMirrors));
  await writeRegistryHosts(join(d.containerd, "certs.d"), registry);
  const cniBinDir = findCniBinDir();
  if (!cniBinDir)
    throw new Error(
      "CNI plugins not found in /usr/lib/cni or /opt/cni/bin; run scripts/install-deps",
    );
  const restrict = !hasCapSysResource();
  const configPath = join(d.containerd, "config.toml");
  writeFileSync(
    configPath,
    containerdConfig({
      root: join(d.containerd, "root"),
      state: join(d.run, "state"),
      socket: d.socket,
      optDir: join(d.containerd, "opt"),
      runcRoot: join(d.run, "runc"),
      cniBinDir,
      cniConfDir: join(d.containerd, "net.d"),
      certsDir: join(d.containerd, "certs.d"),
      sandboxImage: PAUSE_IMAGE,
      restrictOomScoreAdj: restrict,
    }),
  );
  log.info("starting containerd", {
    config: configPath,
    cgroup: `v${cgroupVersion()}`,
    restrictOomScoreAdj: restrict,
  });
  const probe = new CriClient({ socket: d.socket, timeoutMs: 2000 });
  const supervisor = new ContainerdSupervisor({
    configPath,
    pidFile: join(d.run, "containerd.pid"),
    logFile: join(d.containerd, "containerd.log"),
    log: log.with({ component: "containerd" }),
    ready: async () => existsSync(d.socket) && Boolean(await probe.version()),
    beforeStart: () => finishAbandonedTasks(s.dataDir, log),
  });
  try {
    await supervisor.start();
  } finally {
    probe.close();
  }
  return { supervisor, socket: d.socket, cniConfDir: join(d.containerd, "net.d") };
}

function hostResolvConf() {
  const path = hostResolvConfPath();
  return existsSync(path) ? parseResolvConf(readFileSync(path, "utf8")) : undefined;
}

/** CRI Version of the runtime, failing fast with a clear message when nothing answers. */
async function connectRuntime(socket: string) {
  if (!existsSync(socket)) {
    throw new Error(`container runtime endpoint ${socket} does not exist (is containerd running?)`);
  }
  const probe = new CriClient({ socket, timeoutMs: 10_000 });
  try {
    return await probe.version();
  } catch (err) {
    throw new Error(
      `container runtime at ${socket} does not answer CRI: ${(err as Error).message}`,
      {
        cause: err,
      },
    );
  } finally {
    probe.close();
  }
}

/** Starts containerd (unless an endpoint is given), images, the runtime and the kubelet. */
export async function startContainerdNode(
  s: ContainerdNodeSettings,
  client: RestClient,
  log: Logger,
): Promise<RunningNode> {
  const started = performance.now();
  const d = nodeDirs(s.dataDir);
  const own = s.endpoint ? undefined : await startContainerd(s, log);
  const socket = s.endpoint ?? own!.socket;
  const cri = new CriClient({ socket });
  const version = await connectRuntime(socket);
  await ensurePauseImage({ socket, namespace: "k8s.io", log });
  mkdirSync(d.images, { recursive: true });
  await importImageTarballs(d.images, { socket, namespace: "k8s.io", log });

  const host = hostNodeInfo({ dataDir: s.dataDir, maxPods: s.maxPods });
  const objects = new ApiPodObjects(client);
  const stop = new AbortController();
  const recorder = createEventRecorder({ client, component: "kubelet", host: s.nodeName, log });
  let kubelet: Kubelet | undefined;
  const runtime = new ContainerdRuntime({
    runtime: cri,
    images: cri,
    objects,
    volumes: new VolumeManager({
      rootDir: d.kubelet,
      objects,
      mounter: new SystemMounter(),
      clock: realClock,
      allocatable: host.allocatable,
    }),
    cgroups: new SysfsCgroupCleaner(),
    ...(s.cgroupRoot ? { cgroupRoot: posix.join(s.cgroupRoot, "kubepods") } : {}),
    version: `${version.runtime_name}://${version.runtime_version}`,
    node: {
      name: s.nodeName,
      internalIP: s.nodeIP,
      allocatable: host.allocatable,
      memoryCapacityBytes: host.memoryBytes,
    },
    podLogsDir: d.podLogs,
    dns: {
      clusterDNS: s.clusterDNS,
      clusterDomain: s.clusterDomain,
      hostResolvConf: hostResolvConf(),
      nodeIPs: [s.nodeIP],
    },
    clusterDomain: s.clusterDomain,
    hostHostsFile: "/etc/hosts",
    log: log.with({ component: "kuberuntime" }),
    recorder,
    onChange: (key) => kubelet?.notify(key),
    ...(own
      ? {
          onPodCIDR: async (podCIDR: string) => {
            const file = join(own.cniConfDir, cniConfigFileName);
            writeFileSync(file, podNetworkConflist({ podCIDR, ipamDataDir: d.ipam }));
            log.info("pod network configured", { podCIDR, file });
          },
        }
      : {}),
  });
  const pods = new InformerPodSource(client, { nodeName: s.nodeName, log });
  void pods.run(stop.signal);
  const server = await startKubeletServer({
    nodeName: s.nodeName,
    nodeIPs: [s.nodeIP],
    client,
    pods,
    runtime: cri,
    pkiDir: join(d.kubelet, "pki"),
    port: s.kubeletPort,
    log: log.with({ component: "kubelet-server" }),
  });
  kubelet = new Kubelet({
    client,
    pods,
    runtime,
    recorder,
    log: log.with({ component: "kubelet" }),
    node: {
      name: s.nodeName,
      internalIP: s.nodeIP,
      capacity: host.capacity,
      allocatable: host.allocatable,
      kernelVersion: host.kernelVersion,
      osImage: host.osImage,
      runtimeVersion: runtime.version,
      machineID: host.machineID,
      bootID: host.bootID,
      kubeletPort: server.port,
    },
    ...(s.leaseDurationSeconds ? { leaseDurationSeconds: s.leaseDurationSeconds } : {}),
  });
  runtime.run(stop.signal);
  new ContainerLogManager({
    runtime: cri,
    policy: {
      maxSizeBytes: s.containerLogMaxSizeBytes,
      maxFiles: s.containerLogMaxFiles,
      intervalMs: s.containerLogMonitorIntervalMs,
    },
    log: log.with({ component: "container-logs" }),
  }).run(stop.signal);
  const running = kubelet.run(stop.signal);
  const localPath = new LocalPathStorage({
    client,
    nodeNames: [s.nodeName],
    storageDir: join(s.dataDir, "storage"),
    fs: hostLocalPathFs,
    log,
  }).run(stop.signal);
  // With our own containerd the pod network is ours: routes to the other nodes' pods (host-gw).
  const podRoutes = own
    ? new PodRoutes({
        nodeName: s.nodeName,
        run: runCommand,
        clock: realClock,
        log: log.with({ component: "pod-routes" }),
      }).run(client, stop.signal)
    : undefined;
  log.info("node running", {
    node: s.nodeName,
    runtime: runtime.version,
    socket,
    startupMs: Math.round(performance.now() - started),
  });
  return {
    kubelet,
    socket,
    async stop() {
      stop.abort();
      await server.stop();
      await running.catch((err) => log.warn("kubelet stopped with an error", { err }));
      await localPath.catch((err) => log.warn("local-path storage stopped with an error", { err }));
      await podRoutes?.catch((err) => log.warn("pod routes stopped with an error", { err }));
      cri.close();
      if (!own) return;
      await own.supervisor.stop();
      await finishAbandonedTasks(s.dataDir, log);
      // Running pods keep their shims' state there (a restarted agent adopts them).
      const run = nodeDirs(s.dataDir).run;
      log.info("containerd run dir", { dir: run, outcome: removeRunDirIfIdle(run) });
    },
  };
}
