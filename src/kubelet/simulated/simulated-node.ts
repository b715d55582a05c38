/**
 * A simulated node: the real kubelet with the simulated runtime, registering a Node that has the
 * given capacity and no containers behind it. Many can share one pod source and one client.
 */
import { createHash } from "node:crypto";
import { createEventRecorder, type EventRecorder } from "../../client/event-recorder.ts";
import type { RestClient } from "../../client/rest-client.ts";
import { type Clock, realClock } from "../../machinery/clock.ts";
import type { Logger } from "../../machinery/log.ts";
import { Kubelet } from "../kubelet.ts";
import type { PodSource } from "../pod-source.ts";
import { SimulatedRuntime } from "./simulated-runtime.ts";

export interface SimulatedNodeOptions {
  readonly client: RestClient;
  readonly pods: PodSource;
  readonly name: string;
  readonly capacity?: Readonly<Record<string, string>>;
  readonly labels?: Readonly<Record<string, string>>;
  /** A distinct node IP (simulated nodes are not reachable). */
  readonly internalIP: string;
  readonly clock?: Clock;
  readonly log?: Logger;
  readonly heartbeatMs?: number;
  /** The node Lease's duration (upstream `nodeLeaseDurationSeconds`, 40); renewed every quarter. */
  readonly leaseDurationSeconds?: number;
  /** Where its Node's events go (default: a recorder as `kubelet` on this node). */
  readonly recorder?: EventRecorder;
}

export const defaultSimulatedCapacity = {
  cpu: "4",
  memory: "16Gi",
  pods: "110",
  "ephemeral-storage": "100Gi",
};

export function createSimulatedNode(options: SimulatedNodeOptions): Kubelet {
  const capacity = { ...defaultSimulatedCapacity, ...options.capacity };
  const id = createHash("sha256").update(options.name).digest("hex").slice(0, 32);
  let kubelet: Kubelet | undefined;
  const runtime = new SimulatedRuntime({
    clock: options.clock ?? realClock,
    onChange: (key) => kubelet?.notify(key),
    fallbackCIDR: `10.${250 + (Number.parseInt(id.slice(0, 2), 16) % 5)}.${Number.parseInt(id.slice(2, 4), 16)}.0/24`,
  });
  kubelet = new Kubelet({
    client: options.client,
    recorder:
      options.recorder ??
      createEventRecorder({
        client: options.client,
        component: "kubelet",
        host: options.name,
        ...(options.clock ? { clock: options.clock } : {}),
        ...(options.log ? { log: options.log } : {}),
      }),
    pods: options.pods,
    runtime,
    node: {
      name: options.name,
      internalIP: options.internalIP,
      capacity,
      allocatable: capacity,
      labels: { "bosun.dev/simulated": "true", ...options.labels },
      kernelVersion: "simulated",
      osImage: "Bosun simulated node",
      runtimeVersion: runtime.version,
      machineID: id,
      bootID: id,
    },
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.log ? { log: options.log } : {}),
    // The simulated runtime reports every change itself, so the periodic re-sync only repairs
    // what failed: upstream's --sync-frequency (1 minute), not the real node's 10 s, which at
    // 30,000 pods was 3,000 syncs a second.
    resyncMs: 60_000,
    ...(options.leaseDurationSeconds
      ? {
          leaseDurationSeconds: options.leaseDurationSeconds,
          heartbeatMs: options.leaseDurationSeconds * 250,
        }
      : {}),
    ...(options.heartbeatMs ? { heartbeatMs: options.heartbeatMs } : {}),
  });
  return kubelet;
}
