/**
 * The scheduler without its informers: profile → framework, cache, queue, and the loop that
 * pops pods and runs `scheduleOne` back to back while bindings complete in the background.
 * `createScheduler` feeds it from informers; tests and benchmarks drive it directly.
 */
import type { Pod } from "../api/generated/types.ts";
import type { EventRecorder } from "../client/event-recorder.ts";
import type { Clock } from "../machinery/clock.ts";
import type { Logger } from "../machinery/log.ts";
import { SchedulerCache } from "./cache/cache.ts";
import { Framework } from "./framework/framework.ts";
import type { ClusterApi, ClusterEvent, Listers } from "./framework/interface.ts";
import type { Profile, Registry } from "./framework/registry.ts";
import { SchedulingQueue } from "./queue/scheduling-queue.ts";
import { type SchedulerParts, scheduleOne } from "./schedule-one.ts";

export interface SchedulerCoreOptions {
  readonly profile: Profile;
  readonly registry: Registry;
  readonly listers: Listers;
  readonly api: ClusterApi;
  readonly events: EventRecorder;
  readonly clock: Clock;
  readonly log: Logger;
  readonly priorityOf: (pod: Pod) => number;
  /** The informer's copy of a pod; undefined once deleted. */
  readonly currentPod: (namespace: string, name: string) => Pod | undefined;
  readonly random?: () => number;
  /** Bindings allowed in flight before the loop waits (default 2000). */
  readonly maxInFlightBindings?: number;
  readonly podInitialBackoffMs?: number;
  readonly podMaxBackoffMs?: number;
}

export interface SchedulerCore {
  readonly framework: Framework;
  readonly cache: SchedulerCache;
  readonly queue: SchedulingQueue;
  readonly parts: SchedulerParts;
  /** Pops one ready pod and schedules it; undefined when none is ready. */
  scheduleNext(): Promise<void> | undefined;
  /** Schedules until `signal` aborts; resolves once in-flight bindings finish. */
  runLoop(signal: AbortSignal): Promise<void>;
  /** Resolves when no binding or failure write is in flight. */
  idle(): Promise<void>;
}

const yieldToEventLoop = () => new Promise<void>((r) => setImmediate(r));

export function newSchedulerCore(o: SchedulerCoreOptions): SchedulerCore {
  const cache = new SchedulerCache();
  let queue: SchedulingQueue | undefined;
  const framework = new Framework({
    profile: o.profile,
    registry: o.registry,
    snapshot: cache,
    listers: o.listers,
    api: o.api,
    events: o.events,
    clock: o.clock,
    log: o.log,
    nominator: { nominatedPodsForNode: (n) => queue?.nominator.nominatedPodsForNode(n) ?? [] },
    priorityOf: o.priorityOf,
  });
  const pluginEvents = new Map<string, readonly ClusterEvent[]>();
  for (const p of framework.plugins) pluginEvents.set(p.name, p.eventsToRegister?.() ?? []);
  queue = new SchedulingQueue({
    clock: o.clock,
    podInfo: (pod) => framework.podInfo(pod),
    pluginEvents,
    ...(o.podInitialBackoffMs !== undefined ? { podInitialBackoffMs: o.podInitialBackoffMs } : {}),
    ...(o.podMaxBackoffMs !== undefined ? { podMaxBackoffMs: o.podMaxBackoffMs } : {}),
  });
  const q = queue;
  const parts: SchedulerParts = {
    framework,
    cache,
    queue: q,
    sampler: { nextStartNodeIndex: 0, random: o.random ?? Math.random },
    log: o.log,
    currentPod: o.currentPod,
  };
  const maxInFlight = o.maxInFlightBindings ?? 2000;
  let inFlight = 0;
  const idleWaiters: Array<() => void> = [];
  let slotWaiter: (() => void) | undefined;
  const settle = () => {
    inFlight--;
    if (slotWaiter && inFlight < maxInFlight) {
      slotWaiter();
      slotWaiter = undefined;
    }
    if (inFlight === 0) for (const w of idleWaiters.splice(0)) w();
  };

  function scheduleNext(): Promise<void> | undefined {
    const item = q.tryPop();
    if (!item) return undefined;
    inFlight++;
    const cycle = q.schedulingCycle;
    let p: Promise<void>;
    try {
      p = scheduleOne(parts, item);
    } catch (err) {
      p = Promise.reject(err);
    }
    p = p.catch((err: unknown) => {
      // A bug, not a verdict: log it and retry the pod after back-off.
      o.log.error("scheduling failed unexpectedly", { pod: item.podInfo.key, err });
      cache.forgetPod(item.podInfo.uid);
      q.addUnschedulableIfNotPresent({ ...item, unschedulablePlugins: new Set() }, cycle);
    });
    void p.finally(settle);
    return p;
  }

  async function runLoop(signal: AbortSignal): Promise<void> {
    let lastYield = performance.now();
    while (!signal.aborted) {
      if (!scheduleNext()) {
        await q.wait(signal);
        lastYield = performance.now();
        continue;
      }
      if (inFlight >= maxInFlight) {
        await new Promise<void>((r) => {
          slotWaiter = r;
        });
      }
      // Let binding responses and informer events in every few milliseconds.
      if (performance.now() - lastYield > 5) {
        await yieldToEventLoop();
        lastYield = performance.now();
      }
    }
    await idle();
  }

  function idle(): Promise<void> {
    return inFlight === 0 ? Promise.resolve() : new Promise((r) => idleWaiters.push(r));
  }

  return { framework, cache, queue: q, parts, scheduleNext, runLoop, idle };
}
