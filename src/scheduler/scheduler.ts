/**
 * kube-scheduler for Bosun: `createScheduler({client, log, clock, schedulerName})` and
 * `run(signal)`. While it holds the `kube-system/kube-scheduler` Lease it watches pods, nodes,
 * volumes, PodDisruptionBudgets, PriorityClasses and namespaces, and schedules the pending pods
 * whose spec.schedulerName is its own.
 */
import type {
  Namespace,
  Node,
  PersistentVolume,
  PersistentVolumeClaim,
  Pod,
  PodDisruptionBudget,
  StorageClass,
} from "../api/generated/types.ts";
import { createEventRecorder } from "../client/event-recorder.ts";
import { withHandlerScope } from "../client/informer.ts";
import { InformerFactory } from "../client/informer-factory.ts";
import { type LeaderElectionTimings, runLeaderElection } from "../client/leader-election.ts";
import { resources } from "../client/resources.ts";
import type { RestClient } from "../client/rest-client.ts";
import { untilAborted } from "../machinery/abort.ts";
import { type Clock, realClock } from "../machinery/clock.ts";
import { type Logger, silentLogger } from "../machinery/log.ts";
import { addAllEventHandlers } from "./event-handlers.ts";
import type { ClusterApi, Listers } from "./framework/interface.ts";
import { mergeRegistries, type Profile, type Registry } from "./framework/registry.ts";
import { defaultProfile, defaultSchedulerName, inTreeRegistry } from "./plugins/registry.ts";
import { podPriority } from "./priority.ts";
import { restClusterApi } from "./rest-cluster-api.ts";
import { newSchedulerCore, type SchedulerCore } from "./scheduler-core.ts";

export interface SchedulerOptions {
  readonly client: RestClient;
  readonly log?: Logger;
  readonly clock?: Clock;
  /** Pods whose spec.schedulerName is this are ours (default "default-scheduler"). */
  readonly schedulerName?: string;
  /** Plugins and weights (default: upstream's default profile). */
  readonly profile?: Profile;
  /** Out-of-tree plugins, added to the in-tree ones. */
  readonly registry?: Registry;
  /** Take part in leader election (default true); false runs unconditionally. */
  readonly leaderElection?: boolean;
  readonly leaderElectionTimings?: LeaderElectionTimings;
  readonly identity?: string;
  /** Replaces the API writes (tests: a fake binder). */
  readonly api?: ClusterApi;
  readonly maxInFlightBindings?: number;
  /**
   * Informers shared with other components of the process (started by the caller); without
   * them each term as leader has its own, stopped when the term ends.
   */
  readonly informers?: InformerFactory;
}

export interface Scheduler {
  readonly schedulerName: string;
  /** Runs until `signal` aborts. */
  run(signal: AbortSignal): Promise<void>;
  /** The running core while leading (tests and debugging). */
  readonly core: SchedulerCore | undefined;
}

export function createScheduler(options: SchedulerOptions): Scheduler {
  const schedulerName = options.schedulerName ?? defaultSchedulerName;
  const log = (options.log ?? silentLogger).with({ scheduler: schedulerName });
  const clock = options.clock ?? realClock;
  let core: SchedulerCore | undefined;

  async function lead(signal: AbortSignal): Promise<void> {
    const { client } = options;
    const factory = options.informers ?? new InformerFactory(client, log);
    // Priorities must resolve when the first pods arrive: classes (and the other listers) sync
    // before the pod and node informers start.
    const pdbs = factory.informer<PodDisruptionBudget>(resources.poddisruptionbudgets);
    const volumes = {
      pvs: factory.informer<PersistentVolume>(resources.persistentvolumes),
      pvcs: factory.informer<PersistentVolumeClaim>(resources.persistentvolumeclaims),
      storageClasses: factory.informer<StorageClass>(resources.storageclasses),
      namespaces: factory.informer<Namespace>(resources.namespaces),
    };
    factory.start(signal);
    await Promise.race([factory.synced(), untilAborted(signal)]);
    if (signal.aborted) return;
    const informers = {
      ...volumes,
      pods: factory.informer<Pod>(resources.pods),
      nodes: factory.informer<Node>(resources.nodes),
    };
    const listers: Listers = { ...volumes, pdbs };
    const events = createEventRecorder({ client, component: schedulerName, clock, log });
    const c = newSchedulerCore({
      profile: options.profile ?? defaultProfile(schedulerName),
      registry: options.registry
        ? mergeRegistries(inTreeRegistry, options.registry)
        : inTreeRegistry,
      listers,
      api: options.api ?? restClusterApi(client, clock),
      events,
      clock,
      log,
      priorityOf: (pod) => podPriority(pod),
      currentPod: (ns, name) => informers.pods.get(ns, name),
      ...(options.maxInFlightBindings ? { maxInFlightBindings: options.maxInFlightBindings } : {}),
    });
    // Handlers added for this term leave shared informers when it ends.
    withHandlerScope(signal, () => addAllEventHandlers(c, informers, schedulerName));
    await Promise.race([factory.synced(), untilAborted(signal)]);
    if (signal.aborted) return;
    core = c;
    c.queue.run(signal);
    log.info("scheduler started");
    await c.runLoop(signal);
    core = undefined;
  }

  return {
    schedulerName,
    get core() {
      return core;
    },
    async run(signal) {
      if (options.leaderElection === false) return lead(signal);
      await runLeaderElection(
        {
          client: options.client,
          name: "kube-scheduler",
          namespace: "kube-system",
          clock,
          log,
          ...(options.identity ? { identity: options.identity } : {}),
          ...options.leaderElectionTimings,
          onStartedLeading: lead,
        },
        signal,
      );
    },
  };
}
