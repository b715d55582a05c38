/**
 * The control-plane components that run beside the API server in `bosun server` — the
 * controller manager and the scheduler — each with its own identity, talking to the API like any
 * other client: to this process's API server over an in-process channel with a loopback token
 * (ADR 29), to the other masters' over HTTPS with a client certificate.
 *
 * They run on a worker thread of their own (ADR 23): the API server's event loop is the busiest
 * part of a master, and on a 2-core machine the components' informers, watches, JSON and TLS on
 * the same loop were a third of its time. Only plain settings cross to the worker; it keeps its
 * own clients, informer caches and failover pool.
 */

import { type MessagePort, Worker } from "node:worker_threads";
import type { LoopbackTokens } from "../apiserver/authn/loopback.ts";
import type { ComponentHealth } from "../apiserver/handlers/component-status.ts";
import type { LeaderElectionTimings } from "../client/leader-election.ts";
import { onAbort } from "../machinery/abort.ts";
import type { Logger } from "../machinery/log.ts";
import { type ClusterPKI, loadOrIssueClientCertificate } from "../pki/cluster-pki.ts";
import type { ComponentsConfig } from "./control-plane-components.ts";

export interface ControlPlaneOptions {
  readonly pki: ClusterPKI;
  readonly port: number;
  readonly log: Logger;
  readonly nodeName: string;
  /** The pod network node IPAM hands /24s out of (`--cluster-cidr`; default 10.244.0.0/16). */
  readonly clusterCIDR?: string;
  /** Fail over between every API server (ADR 21); without it, the local one only. */
  readonly failover?: boolean;
  /** --leader-elect-lease-duration and --leader-elect-retry-period (upstream's 15 s and 2 s). */
  readonly leaderElection?: LeaderElectionTimings;
  /**
   * The local API server's loopback tokens and a way to open a channel to it (ADR 29): the
   * components reach it over that channel, the other API servers over HTTPS with their
   * certificates.
   */
  readonly loopback?: {
    readonly tokens: LoopbackTokens;
    readonly openChannel: () => MessagePort;
  };
  /** Node failure timings (the controller manager's share of them). */
  readonly nodeLifecycle?: {
    readonly nodeMonitorGracePeriodSeconds: number;
    readonly nodeMonitorPeriodSeconds: number;
    readonly nodeStartupGracePeriodSeconds: number;
    /** The API server's default unreachable toleration, for pods admitted without one. */
    readonly defaultUnreachableTolerationSeconds: number;
  };
}

/** What the worker needs to reach the API as a component: PEM strings only. */
async function credentials(options: ControlPlaneOptions, name: string, commonName: string) {
  const cert = await loadOrIssueClientCertificate(options.pki, name, { commonName });
  return { certPem: cert.certPem, keyPem: cert.keyPem };
}

/**
 * The control-plane worker thread, started before anything else of `bosun server` so that it
 * loads and compiles its modules (a second isolate compiles its own copy) while the main thread
 * opens the store and starts the API server; `start` then hands it its settings.
 */
export class ControlPlaneThread {
  readonly #worker = new Worker(new URL("./control-plane-worker.ts", import.meta.url), {
    name: "control-plane",
  });
  readonly #exited: Promise<number>;
  #failure: Error | undefined;
  #state: "created" | "running" | "exited" = "created";

  constructor() {
    // Until started, the thread must not keep a server that failed to start alive.
    this.#worker.unref();
    this.#exited = new Promise((resolve) => {
      this.#worker.once("error", (err) => {
        this.#failure = err;
      });
      this.#worker.once("exit", (code) => {
        this.#state = "exited";
        resolve(code);
      });
    });
  }

  /** The components' health as `kubectl get componentstatuses` shows it. */
  health(): ComponentHealth[] {
    const healthy = this.#state === "running";
    const error =
      this.#state === "created"
        ? "not started yet"
        : `stopped: ${this.#failure?.message ?? "exited"}`;
    return ["scheduler", "controller-manager"].map((name) =>
      healthy ? { name, healthy, message: "ok" } : { name, healthy, error },
    );
  }

  /**
   * Runs the components with these settings; they stop when `signal` aborts. The promise settles
   * when the thread has exited (rejects if it failed).
   */
  async start(options: ControlPlaneOptions, signal: AbortSignal): Promise<Promise<void>[]> {
    const config = await componentsConfig(options);
    this.#worker.ref();
    if (options.loopback) {
      const channel = options.loopback.openChannel();
      this.#worker.postMessage({ start: config, channel }, [channel]);
    } else this.#worker.postMessage({ start: config });
    if (this.#state === "created") this.#state = "running";
    const exited = this.#exited.then((code) => {
      if (this.#failure) {
        options.log.error("controller manager and scheduler failed", { err: this.#failure });
        throw this.#failure;
      }
      if (code !== 0) throw new Error(`the control-plane worker exited with code ${code}`);
    });
    const stop = () => this.#worker.postMessage("stop");
    onAbort(signal, stop);
    return [exited];
  }
}

async function componentsConfig(options: ControlPlaneOptions): Promise<ComponentsConfig> {
  const n = options.nodeLifecycle;
  return {
    server: `https://127.0.0.1:${options.port}`,
    caPem: options.pki.ca.certPem,
    caKeyPem: options.pki.ca.keyPem,
    controllerManager: await credentials(
      options,
      "controller-manager",
      "system:kube-controller-manager",
    ),
    scheduler: await credentials(options, "scheduler", "system:kube-scheduler"),
    ...(options.loopback
      ? {
          loopback: {
            controllerManagerToken: options.loopback.tokens.issue("system:kube-controller-manager"),
            schedulerToken: options.loopback.tokens.issue("system:kube-scheduler"),
          },
        }
      : {}),
    nodeName: options.nodeName,
    failover: options.failover ?? false,
    ...(options.clusterCIDR ? { clusterCIDR: options.clusterCIDR } : {}),
    ...(options.leaderElection ? { leaderElection: options.leaderElection } : {}),
    ...(n
      ? {
          nodeLifecycle: {
            nodeMonitorGracePeriodSeconds: n.nodeMonitorGracePeriodSeconds,
            nodeMonitorPeriodSeconds: n.nodeMonitorPeriodSeconds,
            nodeStartupGracePeriodSeconds: n.nodeStartupGracePeriodSeconds,
            podEvictionTimeoutSeconds: n.defaultUnreachableTolerationSeconds,
          },
        }
      : {}),
  };
}
