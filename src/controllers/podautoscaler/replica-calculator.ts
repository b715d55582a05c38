/**
 * Upstream's `replica_calculator.go` for resource metrics: from the pods' usage and the target,
 * the replica count a metric proposes. `getResourceReplicas` (a utilization target, a percentage
 * of the pods' requests) and `getRawResourceReplicas` (an average value per pod) both
 *
 * - ignore pods being deleted or Failed, and set Pending pods aside as unready;
 * - for CPU, set aside pods that are not ready, or whose sample was taken before one metrics
 *   window had passed since they became ready, while within the CPU initialization period;
 * - change nothing while the usage ratio is within the tolerance;
 * - when pods lack metrics (or are unready on a scale-up), recompute with the missing ones at 0 %
 *   (scale-up) or 100 % (scale-down) and the unready ones at 0 %, and keep the count when that
 *   reverses the direction.
 *
 * Failures are values (`{ error }`) carrying upstream's message.
 */
import type { HorizontalPodAutoscalerBehavior, Pod } from "../../api/generated/types.ts";
import type { Clock } from "../../machinery/clock.ts";
import type { Selector } from "../../machinery/labels.ts";
import { parseQuantity } from "../../machinery/quantity.ts";
import { parseTime } from "../../machinery/time.ts";
import {
  getResourceMetric,
  type PodMetricsInfo,
  type ResourceMetricsSource,
} from "./resource-metrics.ts";
import {
  calculateRequests,
  type Failure,
  getMetricUsageRatio,
  getResourceUtilizationRatio,
  goDiv,
  isFailure,
} from "./utilization.ts";

export { type Failure, isFailure } from "./utilization.ts";

/** Usage-ratio tolerances on either side of 1 (`Tolerances`). */
export interface Tolerances {
  readonly scaleDown: number;
  readonly scaleUp: number;
}

export const isWithin = (t: Tolerances, ratio: number): boolean =>
  1 - t.scaleDown <= ratio && ratio <= 1 + t.scaleUp;

/** The behavior's tolerances (`spec.behavior.scale{Up,Down}.tolerance`), else `fallback`. */
export function tolerancesOf(
  behavior: HorizontalPodAutoscalerBehavior | undefined,
  fallback: number,
): Tolerances {
  const of = (q: string | undefined) =>
    q === undefined ? fallback : parseQuantity(q).asApproximateFloat64();
  return {
    scaleDown: of(behavior?.scaleDown?.tolerance),
    scaleUp: of(behavior?.scaleUp?.tolerance),
  };
}

export interface ReplicaCalculatorOptions {
  readonly metrics: ResourceMetricsSource;
  /** The pod lister: the namespace's pods matching a selector. */
  readonly listPods: (namespace: string, selector: Selector) => readonly Pod[];
  readonly clock: Clock;
  /** `--horizontal-pod-autoscaler-cpu-initialization-period` (5 min). */
  readonly cpuInitializationPeriodMs?: number | undefined;
  /** `--horizontal-pod-autoscaler-initial-readiness-delay` (30 s). */
  readonly delayOfInitialReadinessStatusMs?: number | undefined;
}

export interface ResourceQuery {
  readonly currentReplicas: number;
  readonly resource: string;
  readonly tolerances: Tolerances;
  readonly namespace: string;
  readonly selector: Selector;
  /** One container's usage and request ("" for the whole pod). */
  readonly container: string;
}

export interface ResourceReplicas {
  readonly replicas: number;
  /** Percent of the requests, truncated. */
  readonly utilization: number;
  /** Average usage per pod, milli-units. */
  readonly rawUtilization: number;
  readonly timestamp: number;
}

export interface RawResourceReplicas {
  readonly replicas: number;
  /** Average usage per pod, milli-units. */
  readonly usage: number;
  readonly timestamp: number;
}

interface PodGroups {
  readyPodCount: number;
  unready: Set<string>;
  missing: Set<string>;
  ignored: Set<string>;
}

export class ReplicaCalculator {
  readonly #o: ReplicaCalculatorOptions;
  readonly #cpuInitMs: number;
  readonly #readinessDelayMs: number;

  constructor(options: ReplicaCalculatorOptions) {
    this.#o = options;
    this.#cpuInitMs = options.cpuInitializationPeriodMs ?? 5 * 60_000;
    this.#readinessDelayMs = options.delayOfInitialReadinessStatusMs ?? 30_000;
  }

  /** `GetResourceReplicas`: a utilization target, in percent of the pods' requests. */
  async getResourceReplicas(
    q: ResourceQuery & { readonly targetUtilization: number },
  ): Promise<ResourceReplicas | Failure> {
    const read = await this.#readyMetrics(q);
    if (isFailure(read)) return read;
    const { metrics, timestamp, pods, g } = read;
    const requests = calculateRequests(pods, q.container, q.resource);
    if (isFailure(requests)) return requests;
    const first = getResourceUtilizationRatio(metrics, requests, q.targetUtilization);
    if (isFailure(first)) return first;
    const { ratio, utilization, rawAverage: rawUtilization } = first;
    const result = (replicas: number): ResourceReplicas => ({
      replicas,
      utilization,
      rawUtilization,
      timestamp,
    });

    const scaleUpWithUnready = g.unready.size > 0 && ratio > 1;
    if (!scaleUpWithUnready && g.missing.size === 0) {
      if (isWithin(q.tolerances, ratio)) return result(q.currentReplicas);
      return result(Math.ceil(ratio * g.readyPodCount));
    }
    if (g.missing.size > 0) {
      // Scale-down: a pod without metrics uses all its request (or the target when above 100 %).
      const fallback = BigInt(Math.max(100, q.targetUtilization));
      for (const name of g.missing) {
        const value = ratio < 1 ? goDiv(BigInt(requests.get(name) ?? 0) * fallback, 100n) : 0;
        if (ratio !== 1) metrics.set(name, { timestamp: 0, windowMs: 0, value });
      }
    }
    if (scaleUpWithUnready) {
      for (const name of g.unready) metrics.set(name, { timestamp: 0, windowMs: 0, value: 0 });
    }
    const second = getResourceUtilizationRatio(metrics, requests, q.targetUtilization);
    if (isFailure(second)) return second;
    const replicas = this.#recount(q, ratio, second.ratio, metrics.size);
    return result(replicas);
  }

  /** `GetRawResourceReplicas` (`calcPlainMetricReplicas`): an average value per pod, milli-units. */
  async getRawResourceReplicas(
    q: ResourceQuery & { readonly targetUsage: number },
  ): Promise<RawResourceReplicas | Failure> {
    const read = await this.#readyMetrics(q);
    if (isFailure(read)) return read;
    const { metrics, timestamp, g } = read;
    const { ratio, usage } = getMetricUsageRatio(metrics, q.targetUsage);
    const result = (replicas: number): RawResourceReplicas => ({ replicas, usage, timestamp });

    const scaleUpWithUnready = g.unready.size > 0 && ratio > 1;
    if (!scaleUpWithUnready && g.missing.size === 0) {
      if (isWithin(q.tolerances, ratio)) return result(q.currentReplicas);
      return result(Math.ceil(ratio * g.readyPodCount));
    }
    if (g.missing.size > 0 && ratio !== 1) {
      // Scale-down: a pod without metrics uses exactly the target; scale-up: nothing.
      const value = ratio < 1 ? q.targetUsage : 0;
      for (const name of g.missing) metrics.set(name, { timestamp: 0, windowMs: 0, value });
    }
    if (scaleUpWithUnready) {
      for (const name of g.unready) metrics.set(name, { timestamp: 0, windowMs: 0, value: 0 });
    }
    const second = getMetricUsageRatio(metrics, q.targetUsage);
    return result(this.#recount(q, ratio, second.ratio, metrics.size));
  }

  /**
   * The pods' metrics for `q` and how the pods group, the ignored and unready ones' metrics left
   * out; a failure when there are no pods or no metrics left.
   */
  async #readyMetrics(q: ResourceQuery) {
    const fetched = await getResourceMetric(this.#o.metrics, q);
    if (isFailure(fetched)) {
      return { error: `unable to get metrics for resource ${q.resource}: ${fetched.error}` };
    }
    const { metrics, timestamp } = fetched;
    const pods = this.#o.listPods(q.namespace, q.selector);
    if (pods.length === 0) {
      return { error: "no pods returned by selector while calculating replica count" };
    }
    const g = this.#groupPods(pods, metrics, q.resource);
    for (const name of [...g.ignored, ...g.unready]) metrics.delete(name);
    if (metrics.size === 0) {
      return { error: "did not receive metrics for targeted pods (pods might be unready)" };
    }
    return { metrics, timestamp, pods, g };
  }

  /** The count after filling in missing and unready pods; the current one if the direction flips. */
  #recount(q: ResourceQuery, ratio: number, newRatio: number, pods: number): number {
    if (
      isWithin(q.tolerances, newRatio) ||
      (ratio < 1 && newRatio > 1) ||
      (ratio > 1 && newRatio < 1)
    ) {
      return q.currentReplicas;
    }
    const replicas = Math.ceil(newRatio * pods);
    if (
      (newRatio < 1 && replicas > q.currentReplicas) ||
      (newRatio > 1 && replicas < q.currentReplicas)
    ) {
      return q.currentReplicas;
    }
    return replicas;
  }

  /** `groupPods`. */
  #groupPods(pods: readonly Pod[], metrics: PodMetricsInfo, resource: string): PodGroups {
    const g: PodGroups = {
      readyPodCount: 0,
      unready: new Set(),
      missing: new Set(),
      ignored: new Set(),
    };
    const now = this.#o.clock.now();
    for (const pod of pods) {
      const name = pod.metadata?.name ?? "";
      const phase = pod.status?.phase;
      if (pod.metadata?.deletionTimestamp || phase === "Failed") {
        g.ignored.add(name);
        continue;
      }
      if (phase === "Pending") {
        g.unready.add(name);
        continue;
      }
      const metric = metrics.get(name);
      if (!metric) {
        g.missing.add(name);
        continue;
      }
      if (resource === "cpu" && this.#cpuUnready(pod, metric, now)) {
        g.unready.add(name);
        continue;
      }
      g.readyPodCount++;
    }
    return g;
  }

  /** A CPU sample not to trust yet: the pod is unready, or was sampled too soon after readiness. */
  #cpuUnready(pod: Pod, metric: { timestamp: number; windowMs: number }, now: number): boolean {
    const ready = pod.status?.conditions?.find((c) => c.type === "Ready");
    const start = parseTime(pod.status?.startTime);
    if (!ready || start === undefined) return true;
    const transition = parseTime(ready.lastTransitionTime) ?? 0;
    if (start + this.#cpuInitMs > now) {
      return ready.status === "False" || metric.timestamp < transition + metric.windowMs;
    }
    // Past initialization: ignore only a pod that is unready and has never been ready.
    return ready.status === "False" && start + this.#readinessDelayMs > transition;
  }
}
