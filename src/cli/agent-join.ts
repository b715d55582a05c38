/**
 * How `bosun agent` and `bosun simulate nodes` reach the cluster: with a kubeconfig as given, or
 * by joining with a bootstrap token (`--server URL --token T --ca-cert-hash sha256:H`, what
 * `bosun token create --print-join-command` prints). A joined node keeps its own
 * `system:node:<name>` certificate under `--data-dir` and renews it; later starts reuse it.
 *
 * Many simulated nodes share one discovery and one token client, request their certificates a
 * few at a time, and keep one certificate (and so one connection) each, as real kubelets do.
 */
import { join, resolve } from "node:path";
import { createFailover, type Failover } from "../client/failover-discovery.ts";
import { configFromKubeconfig, RestClient } from "../client/rest-client.ts";
import { parseCACertHash } from "../cluster-bootstrap/ca-hash.ts";
import { parseBootstrapToken } from "../cluster-bootstrap/token.ts";
import type { CertificateManager } from "../kubelet/bootstrap/certificate-manager.ts";
import { discover, type JoinToken, joinCluster, tokenClient } from "../kubelet/bootstrap/join.ts";
import { kubeletKubeconfigPath } from "../kubelet/bootstrap/node-credentials.ts";
import { parseGoDuration } from "../machinery/go-duration.ts";
import type { Logger } from "../machinery/log.ts";
import { UsageError } from "./command.ts";
import { prepareDataDir } from "./data-dir.ts";

type Values = Record<string, string | boolean | undefined>;

/** The flags both commands take for joining (merged into their parseArgs options). */
export const joinFlags = {
  server: { type: "string" },
  token: { type: "string" },
  "ca-cert-hash": { type: "string", multiple: false },
  "data-dir": { type: "string", default: "/var/lib/bosun" },
  "discovery-timeout": { type: "string", default: "5m0s" },
} as const;

export const joinUsage = `  --server URL              API server to join (https://host:port)
  --token TOKEN             bootstrap token ([a-z0-9]{6}.[a-z0-9]{16}, from "bosun token create")
  --ca-cert-hash sha256:H   pin of the cluster CA's public key (from --print-join-command)
  --data-dir DIR            where the node keeps its certificate (default /var/lib/bosun)
  --discovery-timeout D     how long to wait for the cluster to sign its info (default 5m0s)
  --kubeconfig FILE         use this kubeconfig instead of joining`;

/** The join flags checked before anything touches the network; undefined without --token. */
export function parseJoinFlags(v: Values): JoinToken | undefined {
  const given = ["server", "token", "ca-cert-hash"].filter((f) => v[f] !== undefined);
  if (given.length === 0) return undefined;
  if (v.kubeconfig) throw new UsageError(`--kubeconfig cannot be combined with --${given[0]}`);
  for (const f of ["server", "token", "ca-cert-hash"]) {
    if (v[f] === undefined) throw new UsageError(`--${f} is required to join with a token`);
  }
  let url: URL;
  try {
    url = new URL(String(v.server));
  } catch {
    throw new UsageError(`--server must be a URL like https://10.0.0.1:6443, not "${v.server}"`);
  }
  if (url.protocol !== "https:") throw new UsageError(`--server must use https, not "${v.server}"`);
  const token = parseBootstrapToken(String(v.token));
  if (!token) {
    throw new UsageError(
      `the bootstrap token "${v.token}" was not of the form "\\A([a-z0-9]{6})\\.([a-z0-9]{16})\\z"`,
    );
  }
  const pin = parseCACertHash(String(v["ca-cert-hash"]));
  if ("error" in pin)
    throw new UsageError(`invalid discovery token CA certificate hash: ${pin.error}`);
  return { server: url.origin, token, caCertHashes: [pin.hex] };
}

function discoveryTimeout(v: Values): number {
  const ms = parseGoDuration(String(v["discovery-timeout"]));
  if (ms === undefined || ms <= 0) {
    throw new UsageError(
      `--discovery-timeout must be a positive duration, not "${v["discovery-timeout"]}"`,
    );
  }
  return ms;
}

export interface NodeConnection {
  readonly client: RestClient;
  close(): void;
}

const connection = (
  client: RestClient,
  certificates?: CertificateManager,
  failover?: Failover,
): NodeConnection => ({
  client,
  close: () => {
    failover?.stop();
    certificates?.stop();
    client.close();
  },
});

/**
 * The agent's client fails over between every API server (ADR 21), seeded by its own server
 * and the list it saved last time under the data dir.
 */
function withFailover(client: RestClient, log: Logger, dataDir: string): Failover {
  const failover = createFailover(client.config.server, log.with({ component: "failover" }), {
    stateFile: join(dataDir, "agent", "api-servers.json"),
  });
  client.useServers(failover.pool);
  failover.start(client);
  return failover;
}

/** One node's client: the kubeconfig as given, or its own certificate, joining if needed. */
export async function connectNode(
  v: Values,
  nodeName: string,
  log: Logger,
): Promise<NodeConnection> {
  const token = parseJoinFlags(v);
  const timeoutMs = discoveryTimeout(v);
  const dataDir = resolve(String(v["data-dir"]));
  if (v.kubeconfig) {
    const client = new RestClient(configFromKubeconfig(String(v.kubeconfig), "bosun-agent"));
    prepareDataDir(dataDir);
    return connection(client, undefined, withFailover(client, log, dataDir));
  }
  // Joining writes the node's credentials there; without a token they must be there already.
  if (token) prepareDataDir(dataDir);
  const node = await joinCluster({
    nodeName,
    kubeconfigPath: kubeletKubeconfigPath(dataDir),
    ...(token ? { join: token } : {}),
    log,
    discoveryTimeoutMs: timeoutMs,
  });
  return connection(node.client, node.certificates, withFailover(node.client, log, dataDir));
}

/** Per-node join chatter of many simulated nodes at debug level; warnings and errors stay. */
function quiet(log: Logger): Logger {
  return {
    debug: (m, f) => log.debug(m, f),
    info: (m, f) => log.debug(m, f),
    warn: (m, f) => log.warn(m, f),
    error: (m, f) => log.error(m, f),
    with: (fields) => quiet(log.with(fields)),
  };
}

/** Runs `fn` over `items`, at most `limit` at a time. */
async function inBatches<T>(items: readonly T[], limit: number, fn: (t: T) => Promise<void>) {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** Clients for many simulated nodes: one shared kubeconfig client, or one identity each. */
export async function connectNodes(
  v: Values,
  names: readonly string[],
  log: Logger,
): Promise<{ clients: Map<string, RestClient>; close(): void }> {
  const token = parseJoinFlags(v);
  const timeoutMs = discoveryTimeout(v);
  if (v.kubeconfig) {
    const shared = new RestClient(configFromKubeconfig(String(v.kubeconfig), "bosun-simulate"));
    return { clients: new Map(names.map((n) => [n, shared])), close: () => shared.close() };
  }
  const dir = join(resolve(String(v["data-dir"])), "agent", "simulated");
  const cluster = token ? await discover(token, { log, discoveryTimeoutMs: timeoutMs }) : undefined;
  const bootstrapClient = token && cluster ? tokenClient(cluster, token.token) : undefined;
  const connections = new Map<string, NodeConnection>();
  const started = performance.now();
  try {
    await inBatches(names, 16, async (name) => {
      const node = await joinCluster({
        nodeName: name,
        kubeconfigPath: join(dir, `${name}.kubeconfig`),
        ...(token ? { join: token } : {}),
        ...(cluster ? { cluster } : {}),
        ...(bootstrapClient ? { bootstrapClient } : {}),
        log: quiet(log.with({ node: name })),
      });
      connections.set(name, connection(node.client, node.certificates));
      if (connections.size % 100 === 0) {
        log.info("simulated nodes joined", { joined: connections.size, of: names.length });
      }
    });
  } finally {
    bootstrapClient?.close();
  }
  log.info("simulated nodes have their certificates", {
    count: names.length,
    ms: Math.round(performance.now() - started),
  });
  return {
    clients: new Map([...connections].map(([n, c]) => [n, c.client])),
    close: () => {
      for (const c of connections.values()) c.close();
    },
  };
}
