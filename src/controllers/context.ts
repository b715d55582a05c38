/**
 * What every controller is built from: the API client (controllers never touch storage), shared
 * informers, a clock (injected, so tests move time instead of sleeping), a logger and an event
 * recorder. A controller is created by a factory from this context and then run.
 */
import type { EventRecorder } from "../client/event-recorder.ts";
import type { InformerFactory } from "../client/informer-factory.ts";
import type { RestClient } from "../client/rest-client.ts";
import type { Clock } from "../machinery/clock.ts";
import type { Logger } from "../machinery/log.ts";

export interface ControllerContext {
  readonly client: RestClient;
  readonly informers: InformerFactory;
  readonly clock: Clock;
  readonly log: Logger;
  readonly recorder: EventRecorder;
  /** Settings some controllers take (CIDRs, grace periods); see each controller. */
  readonly settings: ControllerSettings;
}

export interface ControllerSettings {
  /** Cluster pod CIDR; node IPAM hands out a /24 per node. */
  readonly clusterCIDR: string;
  readonly nodeCIDRMaskSize: number;
  /** Seconds without a Lease renewal before a node is marked Unknown (`--node-monitor-grace-period`, 40). */
  readonly nodeMonitorGracePeriodSeconds: number;
  /** How often every node's health is checked (`--node-monitor-period`, 5). */
  readonly nodeMonitorPeriodSeconds: number;
  /** Grace for a node that never posted Ready (`--node-startup-grace-period`, 60). */
  readonly nodeStartupGracePeriodSeconds: number;
  /** Default NoExecute toleration for not-ready/unreachable nodes (upstream 300). */
  readonly podEvictionTimeoutSeconds: number;
  /** Terminated pods kept before the oldest are deleted (`--terminated-pod-gc-threshold`, 12500). */
  readonly terminatedPodGCThreshold: number;
  /** The cluster CA (root CA ConfigMap, CSR signing). */
  readonly caCertPem: string;
  readonly caKeyPem: string;
}

export const defaultControllerSettings: Omit<ControllerSettings, "caCertPem" | "caKeyPem"> = {
  clusterCIDR: "10.244.0.0/16",
  nodeCIDRMaskSize: 24,
  nodeMonitorGracePeriodSeconds: 40,
  nodeMonitorPeriodSeconds: 5,
  nodeStartupGracePeriodSeconds: 60,
  podEvictionTimeoutSeconds: 300,
  terminatedPodGCThreshold: 12_500,
};

/** A controller: workers running until the signal aborts. */
export interface Controller {
  readonly name: string;
  run(signal: AbortSignal): Promise<void>;
}

export interface ControllerFactory {
  readonly name: string;
  /**
   * The `source.component` of the Events it records, as upstream names it (`kubectl describe`
   * shows it under From); default: the name, with `-controller` appended when missing.
   */
  readonly eventSource?: string;
  create(ctx: ControllerContext): Controller;
}
