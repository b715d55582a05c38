/**
 * The horizontal pod autoscaler controller (upstream `pkg/controller/podautoscaler/horizontal.go`):
 * every 15 s each autoscaling/v2 HPA's target is read through its scale subresource, kept within
 * min/max, and otherwise scaled to what its metrics propose (`metric-replicas.ts`, read from the
 * resource metrics API through `ResourceMetricsSource`), normalized by the HPA's behavior
 * (`replica-normalizer.ts`). Status, conditions and events follow upstream's.
 */
import type {
  AutoscalingV2HorizontalPodAutoscaler,
  AutoscalingV2HorizontalPodAutoscalerStatus,
  MetricStatus,
  Scale,
} from "../../api/generated/types.ts";
import type { KubeObject } from "../../api/object.ts";
import { runWorkers } from "../../client/controller.ts";
import { type Informer, keyOf } from "../../client/informer.ts";
import { type GroupVersionResource, resourcePath, resources } from "../../client/resources.ts";
import { WorkQueue } from "../../client/work-queue.ts";
import { onAbort } from "../../machinery/abort.ts";
import { Selector } from "../../machinery/labels.ts";
import { formatTime } from "../../machinery/time.ts";
import { inNamespace, writeStatusIfChanged } from "../common/by-namespace.ts";
import type { Pod } from "../common/objects.ts";
import type { Controller, ControllerContext, ControllerFactory } from "../context.ts";
import { DelayedEnqueuer } from "../job/delayed-enqueuer.ts";
import { HpaSelectors } from "./hpa-selectors.ts";
import { Conditions, hpaStatus } from "./hpa-status.ts";
import { MetricReplicas, type MetricsOutcome } from "./metric-replicas.ts";
import { ReplicaCalculator, tolerancesOf } from "./replica-calculator.ts";
import { ReplicaNormalizer } from "./replica-normalizer.ts";
import { type ResourceMetricsSource, restResourceMetrics } from "./resource-metrics.ts";

type HPA = AutoscalingV2HorizontalPodAutoscaler & KubeObject;
type Status = AutoscalingV2HorizontalPodAutoscalerStatus;

/** What a sync decided: a count and why, or that the metrics allowed no decision. */
type Plan =
  | { desired: number; reason: string; statuses?: MetricStatus[] }
  | { error: string; statuses: MetricStatus[] };

/** Upstream's `--horizontal-pod-autoscaler-sync-period`. */
export const syncPeriodMs = 15_000;

/** The scalable kinds this controller knows (upstream asks the RESTMapper). */
const scalable: Record<string, GroupVersionResource> = {
  "apps/Deployment": resources.deployments,
  "apps/ReplicaSet": resources.replicasets,
  "apps/StatefulSet": resources.statefulsets,
  "/ReplicationController": resources.replicationcontrollers,
};

export interface HorizontalControllerOptions {
  /** Where pod metrics come from (default: the resource metrics API through the client). */
  readonly metrics?: ResourceMetricsSource;
  /** `--horizontal-pod-autoscaler-tolerance` (0.1). */
  readonly tolerance?: number;
  /** `--horizontal-pod-autoscaler-downscale-stabilization` (5 min). */
  readonly downscaleStabilisationWindowMs?: number;
  /** `--horizontal-pod-autoscaler-cpu-initialization-period` (5 min). */
  readonly cpuInitializationPeriodMs?: number;
  /** `--horizontal-pod-autoscaler-initial-readiness-delay` (30 s). */
  readonly delayOfInitialReadinessStatusMs?: number;
}

export class HorizontalController implements Controller {
  readonly name = "horizontal-pod-autoscaler-controller";
  readonly #ctx: ControllerContext;
  readonly #hpas: Informer<HPA>;
  readonly #pods: Informer<Pod>;
  readonly #queue = new WorkQueue<string>({ maxDelayMs: 60_000 });
  readonly #delayed: DelayedEnqueuer;
  readonly #calculator: ReplicaCalculator;
  readonly #normalizer: ReplicaNormalizer;
  readonly #tolerance: number;
  readonly #selectors = new HpaSelectors();

  constructor(ctx: ControllerContext, options: HorizontalControllerOptions = {}) {
    this.#ctx = ctx;
    this.#delayed = new DelayedEnqueuer(ctx.clock, this.#queue);
    this.#tolerance = options.tolerance ?? 0.1;
    this.#pods = ctx.informers.informer<Pod>(resources.pods);
    this.#calculator = new ReplicaCalculator({
      metrics: options.metrics ?? restResourceMetrics(ctx.client),
      listPods: (ns, selector) => this.#listPods(ns, selector),
      clock: ctx.clock,
      cpuInitializationPeriodMs: options.cpuInitializationPeriodMs,
      delayOfInitialReadinessStatusMs: options.delayOfInitialReadinessStatusMs,
    });
    this.#normalizer = new ReplicaNormalizer(ctx.clock, options.downscaleStabilisationWindowMs);
    this.#hpas = ctx.informers.informer<HPA>(resources.horizontalpodautoscalers);
    this.#hpas.addHandlers({
      onAdd: (h) => this.#queue.add(keyOf(h)),
      onUpdate: (old, h) => {
        if (old.metadata?.generation !== h.metadata?.generation) this.#queue.add(keyOf(h));
      },
      onDelete: (h) => this.#forget(keyOf(h)),
    });
  }

  #listPods(namespace: string, selector: Selector): Pod[] {
    return inNamespace(this.#pods, namespace).filter((p) => selector.matches(p.metadata?.labels));
  }

  #forget(key: string): void {
    this.#delayed.cancel(key);
    this.#normalizer.forget(key);
    this.#selectors.delete(key);
  }

  async #sync(key: string): Promise<void> {
    const hpa = this.#hpas.getByKey(key);
    if (!hpa) {
      this.#forget(key);
      return;
    }
    if (hpa.metadata?.deletionTimestamp) return;
    this.#delayed.addAfter(key, syncPeriodMs);
    await this.#reconcileAutoscaler(hpa, key);
  }

  #warn(hpa: HPA, reason: string, message: string): void {
    this.#ctx.recorder.event(hpa, "Warning", reason, message);
  }

  /** Reads the target's scale; on failure records it (event, AbleToScale False) and answers undefined. */
  async #getScale(
    hpa: HPA,
    conditions: Conditions,
  ): Promise<{ scale: Scale; path: string } | undefined> {
    const ref = hpa.spec?.scaleTargetRef;
    const group = (ref?.apiVersion ?? "").split("/").slice(0, -1).join("/");
    const gvr = scalable[`${group}/${ref?.kind}`];
    let why: string;
    if (gvr && ref) {
      const path = resourcePath(gvr, hpa.metadata?.namespace ?? "", ref.name, "scale");
      try {
        return { scale: await this.#ctx.client.get<Scale>(path), path };
      } catch (err) {
        why = err instanceof Error ? err.message : String(err);
      }
    } else {
      why = `no matches for kind "${ref?.kind}" in group "${group}"`;
    }
    this.#warn(hpa, "FailedGetScale", why);
    conditions.set(
      "AbleToScale",
      "False",
      "FailedGetScale",
      `the HPA controller was unable to get the target's current scale: ${why}`,
    );
    await this.#writeStatus(hpa, {
      ...(hpa.status ?? { desiredReplicas: 0 }),
      conditions: conditions.list(),
    });
    return undefined;
  }

  /** `reconcileAutoscaler`. */
  async #reconcileAutoscaler(hpa: HPA, key: string): Promise<void> {
    const now = formatTime(this.#ctx.clock.now());
    const conditions = new Conditions(hpa.status?.conditions, now);
    const target = await this.#getScale(hpa, conditions);
    if (!target) return;
    conditions.set(
      "AbleToScale",
      "True",
      "SucceededGetScale",
      "the HPA controller was able to get the target's current scale",
    );
    const current = target.scale.spec?.replicas ?? 0;
    this.#normalizer.recordInitialRecommendation(current, key);
    const plan = await this.#plan(hpa, key, target.scale, conditions);
    const status = (desired: number, lastScaleTime = hpa.status?.lastScaleTime) =>
      hpaStatus({
        current,
        desired,
        metrics: plan.statuses,
        lastScaleTime,
        conditions: conditions.list(),
      });
    if ("error" in plan) {
      await this.#writeStatus(hpa, status(hpa.status?.desiredReplicas ?? 0));
      if (plan.error) this.#warn(hpa, "FailedComputeMetricsReplicas", plan.error);
      return;
    }
    if (plan.desired === current) {
      await this.#writeStatus(hpa, status(current));
      return;
    }
    const { desired, reason } = plan;
    try {
      await this.#ctx.client.update(target.path, {
        ...target.scale,
        spec: { ...target.scale.spec, replicas: desired },
      });
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      this.#warn(hpa, "FailedRescale", `New size: ${desired}; reason: ${reason}; error: ${why}`);
      conditions.set(
        "AbleToScale",
        "False",
        "FailedUpdateScale",
        `the HPA controller was unable to update the target scale: ${why}`,
      );
      await this.#writeStatus(hpa, status(hpa.status?.desiredReplicas ?? 0));
      return;
    }
    conditions.set(
      "AbleToScale",
      "True",
      "SucceededRescale",
      `the HPA controller was able to update the target scale to ${desired}`,
    );
    const message = `New size: ${desired}; reason: ${reason}`;
    this.#ctx.recorder.event(hpa, "Normal", "SuccessfulRescale", message);
    this.#normalizer.storeScaleEvent(hpa.spec?.behavior, key, current, desired);
    await this.#writeStatus(hpa, status(desired, now));
  }

  /**
   * The count to scale to and why: min/max first, then the metrics' proposal normalized; an
   * error (possibly empty) when the metrics allow no decision. A target at zero is left alone.
   */
  async #plan(hpa: HPA, key: string, scale: Scale, conditions: Conditions): Promise<Plan> {
    const current = scale.spec?.replicas ?? 0;
    const min = hpa.spec?.minReplicas ?? 1;
    const max = hpa.spec?.maxReplicas ?? 0;
    if (current === 0 && min !== 0) {
      conditions.set(
        "ScalingActive",
        "False",
        "ScalingDisabled",
        "scaling is disabled since the replica count of the target is zero",
      );
      return { desired: current, reason: "" };
    }
    if (current > max)
      return { desired: max, reason: "Current number of replicas above Spec.MaxReplicas" };
    if (current < min)
      return { desired: min, reason: "Current number of replicas below Spec.MinReplicas" };
    const m = await this.#computeReplicasForMetrics(hpa, scale, conditions);
    if (m.replicas === -1) return { statuses: m.statuses, error: m.error ?? "" };
    const desired = Math.max(0, m.replicas);
    const n = this.#normalizer.normalize({
      key,
      behavior: hpa.spec?.behavior,
      minReplicas: min,
      maxReplicas: max,
      currentReplicas: current,
      desiredReplicas: desired,
    });
    for (const c of n.conditions) conditions.set(...c);
    const reason =
      desired > current
        ? `${m.replicas > 0 ? m.metric : ""} above target`
        : desired < current
          ? "All metrics below target"
          : "";
    return { desired: n.desired, reason, statuses: m.statuses };
  }

  /** `computeReplicasForMetrics`, after `validateAndParseSelector`. */
  async #computeReplicasForMetrics(
    hpa: HPA,
    scale: Scale,
    conditions: Conditions,
  ): Promise<MetricsOutcome> {
    const namespace = hpa.metadata?.namespace ?? "";
    const selector = this.#selectors.validate({
      key: keyOf(hpa),
      namespace,
      text: scale.status?.selector ?? "",
      listPods: (s) => this.#listPods(namespace, s),
    });
    if (!(selector instanceof Selector)) {
      this.#warn(hpa, selector.event, selector.error);
      conditions.set("ScalingActive", "False", selector.reason, selector.message);
      return { replicas: -1, metric: "", statuses: [], timestamp: 0, error: selector.error };
    }
    return new MetricReplicas({
      namespace,
      metrics: hpa.spec?.metrics ?? [],
      specReplicas: scale.spec?.replicas ?? 0,
      selector,
      tolerances: tolerancesOf(hpa.spec?.behavior, this.#tolerance),
      calculator: this.#calculator,
      conditions,
      warn: (reason, message) => this.#warn(hpa, reason, message),
    }).compute();
  }

  #writeStatus(hpa: HPA, status: Status): Promise<void> {
    return writeStatusIfChanged(this.#ctx.client, resources.horizontalpodautoscalers, hpa, status);
  }

  async run(signal: AbortSignal): Promise<void> {
    await Promise.all([this.#hpas.synced(), this.#pods.synced()]);
    onAbort(signal, () => this.#delayed.cancelAll());
    await runWorkers({
      queue: this.#queue,
      workers: 2,
      sync: (key) => this.#sync(key),
      log: this.#ctx.log,
      signal,
    });
  }
}

export const horizontalControllerFactory: ControllerFactory = {
  name: "horizontal-pod-autoscaler-controller",
  eventSource: "horizontal-pod-autoscaler",
  create: (ctx) => new HorizontalController(ctx),
};
