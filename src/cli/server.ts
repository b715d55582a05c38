/**
 * `bosun server`: the control plane of a cluster — the store, the API server, and (from later
 * issues) the scheduler, controller manager and the node agent — in one process.
 */
import { isIP } from "node:net";
import { hostname } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { controlPlaneLabels } from "../api/kinds/core/node.ts";
import { builtinResources } from "../api/kinds/index.ts";
import { LoopbackTokens } from "../apiserver/authn/loopback.ts";
import { withEncryption } from "../apiserver/encryption/encrypted-store.ts";
import { loadOrCreateEncryptionConfig } from "../apiserver/encryption/keys.ts";
import { ResourceTransformers } from "../apiserver/encryption/resource-transformers.ts";
import { ApiServer } from "../apiserver/server.ts";
import { createFailover, type Failover } from "../client/failover-discovery.ts";
import { resourcePath, resources } from "../client/resources.ts";
import { RestClient } from "../client/rest-client.ts";
import { HaFlagError, type HaFlags, haFlagOptions, haUsage, parseHaFlags } from "../ha/ha-flags.ts";
import type { HaMaster } from "../ha/master.ts";
import { realClock } from "../machinery/clock.ts";
import { parseGoDuration } from "../machinery/go-duration.ts";
import { createLogger, type Logger } from "../machinery/log.ts";
import { isStatusError } from "../machinery/status.ts";
import { isDNS1123Subdomain } from "../machinery/validation.ts";
import {
  type ClusterPKI,
  loadOrCreateClusterPKI,
  loadOrIssueClientCertificate,
} from "../pki/cluster-pki.ts";
import { writeKubeconfig } from "../pki/kubeconfig.ts";
import { startCompactor } from "../storage/compactor.ts";
import type { Store } from "../storage/store.ts";
import { withWatchFanout } from "../storage/watch-fanout.ts";
import { chooseAdvertiseAddress } from "./advertise-address.ts";
import { type Command, UsageError } from "./command.ts";
import {
  containerdNodeFlags,
  containerdNodeSettings,
  containerdNodeUsage,
  startContainerdNode,
} from "./containerd-node.ts";
import { ControlPlaneThread } from "./control-plane.ts";
import { prepareDataDir } from "./data-dir.ts";
import { acquireDataDirLock } from "./data-dir-lock.ts";
import { nodeAddonFlags, nodeAddonsUsage, startNodeAddons } from "./node-addons.ts";
import { nodeProxyFlags, nodeProxyUsage, startNodeProxy } from "./node-proxy.ts";

const usage = `Usage: bosun server [flags]

Starts a control plane (and, unless --disable-agent, the node parts on this machine).

Flags:
  --data-dir DIR              state, certificates and kubeconfig (default /var/lib/bosun)
  --https-port PORT           API server port (default 6443)
  --bind-address ADDR         address to listen on (default 0.0.0.0)
  --advertise-address IP      where pods (kubernetes Service) and nodes reach this server (default:
                              the bind address, or with 0.0.0.0 or a loopback bind the host's
                              first non-loopback IPv4; a loopback bind leaves pods refused)
  --datastore sqlite|etcd     cluster store (default sqlite, one file under the data dir)
  --datastore-endpoint URL    etcd client URL(s), comma-separated (with --datastore etcd)
  --compaction-interval SEC   compact store history older than this (default 300)
  --disable-agent             do not run the kubelet, proxy and DNS on this machine
  --tls-san NAME              extra name or IP for the serving certificate (repeatable)

Node failure (upstream kube-controller-manager and kube-apiserver flags):
  --node-monitor-grace-period DUR    a node silent this long becomes Ready=Unknown (default 40s)
  --node-monitor-period DUR          how often node health is checked (default 5s)
  --node-startup-grace-period DUR    the same for a node that never posted Ready (default 1m0s)
  --default-not-ready-toleration-seconds N    pods tolerate a not-ready node N s (default 300)
  --default-unreachable-toleration-seconds N  pods tolerate an unreachable node N s (default 300)

Leader election of the controller manager and scheduler (their upstream flags):
  --leader-elect-lease-duration DUR  a leader that has not renewed this long is replaced (default 15s)
  --leader-elect-retry-period DUR    how often leaders renew and candidates try (default 2s)

This machine's node (unless --disable-agent):
  --node-name NAME                  node name (default: the host name, lower case)
  --node-ip IP                      the node's InternalIP (default: the advertised address)
${haUsage}
${containerdNodeUsage}
${nodeAddonsUsage}
${nodeProxyUsage}`;

export interface ServerFlags {
  dataDir: string;
  port: number;
  bindAddress: string;
  advertiseAddress: string | undefined;
  datastore: "sqlite" | "etcd";
  datastoreEndpoints: string[];
  compactionSeconds: number;
  disableAgent: boolean;
  tlsSans: string[];
  nodeLifecycle: NodeLifecycleFlags;
  leaderElection: { leaseDurationSeconds: number; retryPeriodMs: number };
  /** Several masters: --cluster-init, joining with --server/--token, --leave, etcd ports. */
  ha: HaFlags;
  /** This machine's node: its name and IP, and the node flags as parsed. */
  node: {
    name: string;
    ip: string | undefined;
    values: Record<string, string | boolean | string[] | undefined>;
  };
}

/** Timings of node failure handling; seconds. */
export interface NodeLifecycleFlags {
  nodeMonitorGracePeriodSeconds: number;
  nodeMonitorPeriodSeconds: number;
  nodeStartupGracePeriodSeconds: number;
  defaultNotReadyTolerationSeconds: number;
  defaultUnreachableTolerationSeconds: number;
}

export function parseServerFlags(args: string[]): ServerFlags {
  let values: Record<string, string | boolean | string[] | undefined>;
  try {
    ({ values } = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        "data-dir": { type: "string", default: "/var/lib/bosun" },
        "https-port": { type: "string", default: "6443" },
        "bind-address": { type: "string", default: "0.0.0.0" },
        "advertise-address": { type: "string" },
        datastore: { type: "string", default: "sqlite" },
        "datastore-endpoint": { type: "string" },
        "compaction-interval": { type: "string", default: "300" },
        "disable-agent": { type: "boolean", default: false },
        "tls-san": { type: "string", multiple: true, default: [] },
        "node-monitor-grace-period": { type: "string", default: "40s" },
        "leader-elect-lease-duration": { type: "string", default: "15s" },
        "leader-elect-retry-period": { type: "string", default: "2s" },
        "node-monitor-period": { type: "string", default: "5s" },
        "node-startup-grace-period": { type: "string", default: "1m0s" },
        "default-not-ready-toleration-seconds": { type: "string", default: "300" },
        "default-unreachable-toleration-seconds": { type: "string", default: "300" },
        "node-name": { type: "string" },
        "node-ip": { type: "string" },
        ...haFlagOptions,
        ...containerdNodeFlags,
        ...nodeAddonFlags,
        ...nodeProxyFlags,
      },
    }));
  } catch (err) {
    throw new UsageError((err as Error).message.split("\n")[0]!);
  }
  const port = Number(values["https-port"]);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new UsageError(
      `--https-port must be a port number (1-65535), not "${values["https-port"]}"`,
    );
  }
  const datastore = values.datastore as string;
  if (datastore !== "sqlite" && datastore !== "etcd") {
    throw new UsageError(`--datastore must be "sqlite" or "etcd", not "${datastore}"`);
  }
  const endpoint = values["datastore-endpoint"] as string | undefined;
  if (datastore === "etcd" && !endpoint) {
    throw new UsageError("--datastore etcd needs --datastore-endpoint URL");
  }
  if (datastore === "sqlite" && endpoint) {
    throw new UsageError("--datastore-endpoint is only used with --datastore etcd");
  }
  const compaction = Number(values["compaction-interval"]);
  if (!Number.isFinite(compaction) || compaction <= 0) {
    throw new UsageError("--compaction-interval must be a positive number of seconds");
  }
  const nodeName = String(values["node-name"] ?? hostname().toLowerCase());
  const [badName] = isDNS1123Subdomain(nodeName);
  if (badName) throw new UsageError(`invalid node name "${nodeName}" (--node-name): ${badName}`);
  for (const flag of ["node-ip", "advertise-address", "bind-address"]) {
    const ip = values[flag];
    if (typeof ip === "string" && isIP(ip) === 0) {
      throw new UsageError(`invalid argument "${ip}" for "--${flag}" flag: must be an IP address`);
    }
  }
  let ha: HaFlags;
  try {
    ha = parseHaFlags(values, { datastore, datastoreEndpoint: endpoint, httpsPort: port });
  } catch (err) {
    if (err instanceof HaFlagError) throw new UsageError(err.message);
    throw err;
  }
  return {
    dataDir: resolve(values["data-dir"] as string),
    port,
    bindAddress: values["bind-address"] as string,
    advertiseAddress: values["advertise-address"] as string | undefined,
    datastore,
    datastoreEndpoints: endpoint ? endpoint.split(",").map((e) => e.trim()) : [],
    compactionSeconds: compaction,
    disableAgent: values["disable-agent"] as boolean,
    tlsSans: values["tls-san"] as string[],
    nodeLifecycle: parseNodeLifecycleFlags(values),
    leaderElection: parseLeaderElectionFlags(values),
    ha,
    node: {
      name: nodeName,
      ip: values["node-ip"] as string | undefined,
      values,
    },
  };
}

function parseNodeLifecycleFlags(
  values: Record<string, string | boolean | string[] | undefined>,
): NodeLifecycleFlags {
  const duration = (flag: string) => {
    const ms = parseGoDuration(String(values[flag]));
    if (ms === undefined || ms <= 0) {
      throw new UsageError(
        `--${flag} must be a positive duration such as 40s, not "${values[flag]}"`,
      );
    }
    return ms / 1000;
  };
  const seconds = (flag: string) => {
    const n = Number(values[flag]);
    if (!Number.isInteger(n) || n < 0) {
      throw new UsageError(`--${flag} must be a whole number of seconds, not "${values[flag]}"`);
    }
    return n;
  };
  return {
    nodeMonitorGracePeriodSeconds: duration("node-monitor-grace-period"),
    nodeMonitorPeriodSeconds: duration("node-monitor-period"),
    nodeStartupGracePeriodSeconds: duration("node-startup-grace-period"),
    defaultNotReadyTolerationSeconds: seconds("default-not-ready-toleration-seconds"),
    defaultUnreachableTolerationSeconds: seconds("default-unreachable-toleration-seconds"),
  };
}

function parseLeaderElectionFlags(
  values: Record<string, string | boolean | string[] | undefined>,
): ServerFlags["leaderElection"] {
  const ms = (flag: string) => {
    const v = parseGoDuration(String(values[flag]));
    if (v === undefined || v <= 0) {
      throw new UsageError(
        `--${flag} must be a positive duration such as 15s, not "${values[flag]}"`,
      );
    }
    return v;
  };
  const leaseMs = ms("leader-elect-lease-duration");
  const retryPeriodMs = ms("leader-elect-retry-period");
  if (retryPeriodMs >= leaseMs) {
    throw new UsageError(
      "--leader-elect-retry-period must be shorter than --leader-elect-lease-duration",
    );
  }
  return { leaseDurationSeconds: Math.max(1, Math.round(leaseMs / 1000)), retryPeriodMs };
}

export async function openStore(
  flags: Pick<ServerFlags, "datastore" | "datastoreEndpoints" | "dataDir">,
): Promise<Store> {
  if (flags.datastore === "etcd") {
    const { EtcdStore } = await import("../storage/etcd/etcd-store.ts");
    return new EtcdStore({ endpoints: flags.datastoreEndpoints });
  }
  const { SqliteStore } = await import("../storage/sqlite/sqlite-store.ts");
  return new SqliteStore({ path: join(flags.dataDir, "server", "db", "state.db") });
}

/** The kubelet of this machine, with its own `system:node:<name>` client certificate. */
async function startServerNode(
  flags: ServerFlags,
  pki: ClusterPKI,
  advertised: string,
  failover: Failover,
) {
  const name = flags.node.name;
  const cert = await loadOrIssueClientCertificate(pki, "kubelet", {
    commonName: `system:node:${name}`,
    organizations: ["system:nodes"],
  });
  const client = new RestClient({
    server: `https://127.0.0.1:${flags.port}`,
    caPem: pki.ca.certPem,
    certPem: cert.certPem,
    keyPem: cert.keyPem,
    userAgent: "kubelet/bosun",
    servers: failover.pool,
  });
  // The kubelet may read the kubernetes Endpoints: it keeps the server list current.
  failover.start(client);
  const settings = containerdNodeSettings(flags.node.values, {
    dataDir: flags.dataDir,
    nodeName: name,
    nodeIP: flags.node.ip ?? advertised,
  });
  try {
    const log = createLogger("agent");
    const node = await startContainerdNode(settings, client, log);
    const proxy = await startNodeProxy(flags.node.values, {
      client,
      nodeName: name,
      nodeIP: settings.nodeIP,
      log,
    }).catch(async (err: unknown) => {
      await node.stop();
      throw err;
    });
    const addons = await startNodeAddons(flags.node.values, {
      client,
      nodeName: name,
      nodeIP: settings.nodeIP,
      log: createLogger("agent"),
    }).catch(async (err: unknown) => {
      await node.stop();
      throw err;
    });
    const labelling = labelControlPlaneNode(flags, pki, name, log);
    return {
      async stop() {
        labelling.abort();
        await addons.stop();
        await proxy?.stop();
        await node.stop();
        client.close();
      },
    };
  } catch (err) {
    client.close();
    throw err;
  }
}

/**
 * Labels this machine's node as a control-plane node (as k3s does) once it has registered. The
 * server does it with its own credentials: NodeRestriction keeps kubelets from setting node-role
 * labels, as upstream. Retries until done or aborted.
 */
function labelControlPlaneNode(
  flags: ServerFlags,
  pki: ClusterPKI,
  name: string,
  log: Logger,
): AbortController {
  const stop = new AbortController();
  const admin = new RestClient({
    server: `https://127.0.0.1:${flags.port}`,
    caPem: pki.ca.certPem,
    certPem: pki.admin.certPem,
    keyPem: pki.admin.keyPem,
    userAgent: "bosun-server",
  });
  void (async () => {
    const path = resourcePath(resources.nodes, "", name);
    for (let attempt = 0; !stop.signal.aborted && attempt < 600; attempt++) {
      try {
        await admin.patch(path, "merge", { metadata: { labels: controlPlaneLabels } });
        return;
      } catch (err) {
        if (!isStatusError(err, "NotFound")) log.debug("labelling the node", { err });
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  })().finally(() => admin.close());
  return stop;
}

export const serverCommand: Command = {
  name: "server",
  summary: "Run a control plane (API server, store; node parts unless --disable-agent)",
  usage,
  async run(args) {
    const flags = parseServerFlags(args);
    const log = createLogger("server");
    if (flags.ha.mode.kind === "leave") return leave(flags, log);
    const controlPlane = new ControlPlaneThread();
    prepareDataDir(flags.dataDir);
    const lock = acquireDataDirLock(flags.dataDir);
    const advertise = chooseAdvertiseAddress(flags);
    if (advertise.warning) log.warn(advertise.warning);
    // Several masters: the managed etcd member (a joining master receives the CA here).
    let ha: HaMaster | undefined;
    const { isHaMaster, startHaMaster } = await import("../ha/master.ts");
    if (flags.datastore === "sqlite" && isHaMaster(flags.dataDir, flags.ha.mode)) {
      try {
        ha = await startHaMaster({
          dataDir: flags.dataDir,
          mode: flags.ha.mode,
          advertiseAddress: advertise.address,
          etcdClientPort: flags.ha.etcdClientPort,
          etcdPeerPort: flags.ha.etcdPeerPort,
          log,
        });
      } catch (err) {
        lock.release();
        throw err;
      }
    }
    const ips = flags.tlsSans.filter((s) => /^[\d.]+$|:/.test(s));
    const names = flags.tlsSans.filter((s) => !ips.includes(s));
    const pki = await loadOrCreateClusterPKI(join(flags.dataDir, "server", "tls"), {
      serverNames: names,
      // Joining nodes reach the advertised address (kube-public/cluster-info names it).
      serverIPs: [advertise.address, ...ips],
    });
    // The API server's identity towards kubelets (upstream --kubelet-client-certificate).
    const kubeletClient = await loadOrIssueClientCertificate(pki, "apiserver-kubelet-client", {
      commonName: "kube-apiserver-kubelet-client",
    });
    const store = ha?.store ?? (await openStore(flags));
    const encryption = await loadOrCreateEncryptionConfig(flags.dataDir);
    for (const warning of encryption.warnings) log.warn(warning);
    const encrypted = withEncryption(store, new ResourceTransformers(encryption.config));
    const compactor = startCompactor(store, {
      intervalMs: flags.compactionSeconds * 1000,
      log: createLogger("compactor"),
    });
    // The components on the control-plane thread reach this API server over an in-process
    // channel with tokens of their own (ADR 29).
    const loopback = { tokens: new LoopbackTokens() };
    const server = new ApiServer({
      controlPlaneHealth: async () => controlPlane.health(),
      // The watch caches are the fanout's only long-lived watchers and keep their own window of
      // events; a short one here only serves a cache resuming its Store watch.
      store: withWatchFanout(encrypted, { windowSize: 256 }),
      clock: realClock,
      log: createLogger("apiserver"),
      tls: {
        certPem: pki.serving.certPem,
        keyPem: pki.serving.keyPem,
        clientCaPem: pki.ca.certPem,
      },
      bindAddress: flags.bindAddress,
      port: flags.port,
      advertiseAddress: advertise.address,
      resources: builtinResources,
      serviceAccountKeys: {
        privateKeyPem: pki.serviceAccount.privateKeyPem,
        publicKeyPem: pki.serviceAccount.publicKeyPem,
      },
      kubeletClient: { certPem: kubeletClient.certPem, keyPem: kubeletClient.keyPem },
      ...(ha ? { storeHealth: () => ha.health.state, extraPaths: ha.extraPaths } : {}),
      defaultTolerationSeconds: {
        notReady: flags.nodeLifecycle.defaultNotReadyTolerationSeconds,
        unreachable: flags.nodeLifecycle.defaultUnreachableTolerationSeconds,
      },
      loopback,
    });
    try {
      await server.start();
    } catch (err) {
      compactor.stop();
      await store.close();
      await ha?.stop();
      lock.release();
      if ((err as NodeJS.ErrnoException).code === "EADDRINUSE") {
        throw new Error(`port ${flags.port} on ${flags.bindAddress} is already in use`);
      }
      throw err;
    }
    const components = new AbortController();
    // This process's clients go to the local API server first, to the others when it fails.
    const failover = createFailover(`https://127.0.0.1:${flags.port}`, createLogger("failover"));
    const running = await controlPlane.start(
      {
        pki,
        port: flags.port,
        failover: true,
        loopback: { ...loopback, openChannel: () => server.openChannel() },
        log: createLogger("control-plane"),
        // Masters on one host need distinct leader-election identities (stable across restarts).
        nodeName: ha ? ha.identity : hostname(),
        nodeLifecycle: flags.nodeLifecycle,
        leaderElection: flags.leaderElection,
        // One --cluster-cidr for node IPAM and this node's proxy (its first, IPv4, CIDR).
        clusterCIDR:
          String(flags.node.values["cluster-cidr"] ?? "")
            .split(",")[0]
            ?.trim() ?? "",
      },
      components.signal,
    );
    const kubeconfig = join(flags.dataDir, "admin.kubeconfig");
    await writeKubeconfig(kubeconfig, {
      server: `https://127.0.0.1:${flags.port}`,
      caPem: pki.ca.certPem,
      clientCertPem: pki.admin.certPem,
      clientKeyPem: pki.admin.keyPem,
    });
    log.info("control plane ready", {
      url: `https://${flags.bindAddress}:${flags.port}`,
      kubeconfig,
      datastore: ha ? "etcd (managed)" : flags.datastore,
      startupMs: Math.round(performance.now()),
    });
    let node: Awaited<ReturnType<typeof startServerNode>> | undefined;
    if (!flags.disableAgent) {
      try {
        node = await startServerNode(flags, pki, advertise.address, failover);
      } catch (err) {
        log.error("cannot start this machine's node (use --disable-agent to run without one)", {
          err,
        });
        components.abort();
        await Promise.allSettled(running);
        await server.stop();
        compactor.stop();
        await store.close();
        await ha?.stop();
        lock.release();
        return 1;
      }
    }
    await new Promise<void>((resolve) => {
      process.once("SIGTERM", resolve);
      process.once("SIGINT", resolve);
    });
    log.info("shutting down");
    failover.stop();
    await node?.stop();
    components.abort();
    await Promise.allSettled(running);
    await server.stop();
    compactor.stop();
    await store.close();
    await ha?.stop();
    lock.release();
    log.info("stopped");
    return 0;
  },
};

/** `bosun server --leave`: this data dir's etcd member leaves its cluster (server stopped). */
async function leave(flags: ServerFlags, log: ReturnType<typeof createLogger>): Promise<number> {
  const lock = acquireDataDirLock(flags.dataDir);
  try {
    const { leaveEtcdCluster } = await import("../ha/managed-etcd.ts");
    const { name, remaining } = await leaveEtcdCluster(flags.dataDir, log);
    process.stdout.write(`etcd member ${name} removed; ${remaining} member(s) remain\n`);
    return 0;
  } finally {
    lock.release();
  }
}
