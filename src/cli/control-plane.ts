/**
 * The control-plane components that run beside the API server in `bosun server` — the
 * controller manager and the scheduler — each with its own client
 * certificate and identity, talking to the API over loopback HTTPS like any other client.
 */
import type { Failover } from "../client/failover-discovery.ts";
import type { LeaderElectionTimings } from "../client/leader-election.ts";
import { RestClient } from "../client/rest-client.ts";
import { allControllers } from "../controllers/all.ts";
import { defaultControllerSettings } from "../controllers/context.ts";
import { runControllerManager } from "../controllers/manager.ts";
import type { Logger } from "../machinery/log.ts";
import { type ClusterPKI, loadOrIssueClientCertificate } from "../pki/cluster-pki.ts";
import { createScheduler } from "../scheduler/scheduler.ts";

export interface ControlPlaneOptions {
  readonly pki: ClusterPKI;
  readonly port: number;
  readonly log: Logger;
  readonly nodeName: string;
  /** The pod network node IPAM hands /24s out of (`--cluster-cidr`; default 10.244.0.0/16). */
  readonly clusterCIDR?: string;
  /** Every API server, to fail over between (ADR 21); without it, the local one only. */
  readonly failover?: Failover;
  /** --leader-elect-lease-duration and --leader-elect-retry-period (upstream's 15 s and 2 s). */
  readonly leaderElection?: LeaderElectionTimings;
  /** Node failure timings (the controller manager's share of them). */
  readonly nodeLifecycle?: {
    readonly nodeMonitorGracePeriodSeconds: number;
    readonly nodeMonitorPeriodSeconds: number;
    readonly nodeStartupGracePeriodSeconds: number;
    /** The API server's default unreachable toleration, for pods admitted without one. */
    readonly defaultUnreachableTolerationSeconds: number;
  };
}

async function componentClient(
  options: ControlPlaneOptions,
  name: string,
  cn: string,
): Promise<RestClient> {
  const cert = await loadOrIssueClientCertificate(options.pki, name, { commonName: cn });
  return new RestClient({
    server: `https://127.0.0.1:${options.port}`,
    caPem: options.pki.ca.certPem,
    certPem: cert.certPem,
    keyPem: cert.keyPem,
    userAgent: `${name}/bosun`,
    ...(options.failover ? { servers: options.failover.pool } : {}),
  });
}

function nodeLifecycleSettings(options: ControlPlaneOptions) {
  const n = options.nodeLifecycle;
  if (!n) return {};
  return {
    nodeMonitorGracePeriodSeconds: n.nodeMonitorGracePeriodSeconds,
    nodeMonitorPeriodSeconds: n.nodeMonitorPeriodSeconds,
    nodeStartupGracePeriodSeconds: n.nodeStartupGracePeriodSeconds,
    podEvictionTimeoutSeconds: n.defaultUnreachableTolerationSeconds,
  };
}

/** Starts the components; they stop when `signal` aborts. */
export async function startControlPlane(
  options: ControlPlaneOptions,
  signal: AbortSignal,
): Promise<Promise<void>[]> {
  const cmClient = await componentClient(
    options,
    "controller-manager",
    "system:kube-controller-manager",
  );
  // The controller manager may read the kubernetes Endpoints: it keeps the list current.
  options.failover?.start(cmClient);
  const manager = runControllerManager(
    {
      client: cmClient,
      controllers: allControllers,
      settings: {
        ...defaultControllerSettings,
        ...(options.clusterCIDR ? { clusterCIDR: options.clusterCIDR } : {}),
        ...nodeLifecycleSettings(options),
        caCertPem: options.pki.ca.certPem,
        caKeyPem: options.pki.ca.keyPem,
      },
      log: options.log.with({ component: "controller-manager" }),
      identity: `${options.nodeName}_controller-manager`,
      ...(options.leaderElection ? { leaderElection: options.leaderElection } : {}),
    },
    signal,
  ).finally(() => cmClient.close());

  const schedulerClient = await componentClient(options, "scheduler", "system:kube-scheduler");
  const scheduler = createScheduler({
    client: schedulerClient,
    log: options.log.with({ component: "scheduler" }),
    identity: `${options.nodeName}_scheduler`,
    ...(options.leaderElection ? { leaderElectionTimings: options.leaderElection } : {}),
  })
    .run(signal)
    .finally(() => schedulerClient.close());
  return [manager, scheduler];
}
