/**
 * The controller manager and the scheduler, run from plain settings (what crosses to the
 * control-plane worker thread, see control-plane.ts).
 */
import type { MessagePort } from "node:worker_threads";
import { ApiChannel } from "../client/api-channel.ts";
import { createFailover } from "../client/failover-discovery.ts";
import { InformerFactory } from "../client/informer-factory.ts";
import type { LeaderElectionTimings } from "../client/leader-election.ts";
import { RestClient } from "../client/rest-client.ts";
import { allControllers } from "../controllers/all.ts";
import { type ControllerSettings, defaultControllerSettings } from "../controllers/context.ts";
import { runControllerManager } from "../controllers/manager.ts";
import type { Logger } from "../machinery/log.ts";
import { createScheduler } from "../scheduler/scheduler.ts";

export interface ComponentsConfig {
  /** The local API server. */
  readonly server: string;
  readonly caPem: string;
  /** The cluster CA's key (CSR signing). */
  readonly caKeyPem: string;
  readonly controllerManager: { readonly certPem: string; readonly keyPem: string };
  readonly scheduler: { readonly certPem: string; readonly keyPem: string };
  /** Each component's token on the local API server's in-process channel (ADR 29). */
  readonly loopback?: {
    readonly controllerManagerToken: string;
    readonly schedulerToken: string;
  };
  /** Leader-election identities are `<nodeName>_<component>`. */
  readonly nodeName: string;
  /** Fail over to the other API servers the kubernetes Endpoints name (ADR 21). */
  readonly failover: boolean;
  readonly clusterCIDR?: string;
  readonly leaderElection?: LeaderElectionTimings;
  readonly nodeLifecycle?: Pick<
    ControllerSettings,
    | "nodeMonitorGracePeriodSeconds"
    | "nodeMonitorPeriodSeconds"
    | "nodeStartupGracePeriodSeconds"
    | "podEvictionTimeoutSeconds"
  >;
}

/**
 * Runs both components until `signal` aborts; with `channel` (the local API server's end is
 * served by it, ADR 29) and loopback tokens they reach that server over it.
 */
export async function runComponents(
  config: ComponentsConfig,
  log: Logger,
  signal: AbortSignal,
  channel?: MessagePort,
): Promise<void> {
  const local = channel && new ApiChannel(channel);
  const failover = config.failover ? createFailover(config.server, log) : undefined;
  const client = (
    name: string,
    cert: { certPem: string; keyPem: string },
    token: string | undefined,
  ) =>
    new RestClient({
      server: config.server,
      caPem: config.caPem,
      ...cert,
      userAgent: `${name}/bosun`,
      ...(failover ? { servers: failover.pool } : {}),
      ...(local && token ? { loopback: { server: config.server, channel: local, token } } : {}),
    });
  const cmClient = client(
    "controller-manager",
    config.controllerManager,
    config.loopback?.controllerManagerToken,
  );
  // The controller manager may read the kubernetes Endpoints: it keeps the list current.
  failover?.start(cmClient);
  // One set of informers for both components (through the controller manager's client, whose
  // role reads everything the scheduler reads): one watch and one cache of 30,000 pods, not two.
  // They run from the first term of either component until the thread stops.
  const informers = new InformerFactory(cmClient, log.with({ component: "informers" }));
  informers.start(signal);
  const manager = runControllerManager(
    {
      client: cmClient,
      controllers: allControllers,
      settings: {
        ...defaultControllerSettings,
        ...(config.clusterCIDR ? { clusterCIDR: config.clusterCIDR } : {}),
        ...config.nodeLifecycle,
        caCertPem: config.caPem,
        caKeyPem: config.caKeyPem,
      },
      log: log.with({ component: "controller-manager" }),
      identity: `${config.nodeName}_controller-manager`,
      informers,
      ...(config.leaderElection ? { leaderElection: config.leaderElection } : {}),
    },
    signal,
  ).finally(() => cmClient.close());
  const schedulerClient = client("scheduler", config.scheduler, config.loopback?.schedulerToken);
  const scheduler = createScheduler({
    client: schedulerClient,
    informers,
    log: log.with({ component: "scheduler" }),
    identity: `${config.nodeName}_scheduler`,
    ...(config.leaderElection ? { leaderElectionTimings: config.leaderElection } : {}),
  })
    .run(signal)
    .finally(() => schedulerClient.close());
  try {
    await Promise.all([manager, scheduler]);
  } finally {
    failover?.stop();
    local?.close();
  }
}
