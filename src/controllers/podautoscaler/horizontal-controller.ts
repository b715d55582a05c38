import type {
  AutoscalingV2HorizontalPodAutoscaler,
  AutoscalingV2HorizontalPodAutoscalerStatus,
  HorizontalPodAutoscalerCondition,
  Scale,
} from "../../api/generated/types.ts";
import type { KubeObject } from "../../api/object.ts";
import { runWorkers } from "../../client/controller.ts";
import { type Informer, keyOf } from "../../client/informer.ts";
import { type GroupVersionResource, resourcePath, resources } from "../../client/resources.ts";
import { WorkQueue } from "../../client/work-queue.ts";
import { onAbort } from "../../machinery/abort.ts";
import { isStatusError } from "../../machinery/status.ts";
import { formatTime } from "../../machinery/time.ts";
import { writeStatusIfChanged } from "../common/by-namespace.ts";
import type { Controller, ControllerContext, ControllerFactory } from "../context.ts";
import { DelayedEnqueuer } from "../job/delayed-enqueuer.ts";

type HPA = AutoscalingV2HorizontalPodAutoscaler & KubeObject;
type Condition = HorizontalPodAutoscalerCondition;

/** Upstream's `--horizontal-pod-autoscaler-sync-period`. */
export const syncPeriodMs = 15_000;

/** The scalable kinds this controller knows (upstream asks the RESTMapper). */
const scalable: Record<string, GroupVersionResource> = {
  "apps/Deployment": resources.deployments,
  "apps/ReplicaSet": resources.replicasets,
  "apps/StatefulSet": resources.statefulsets,
};

export interface Decision {
  readonly desired: number;
  /** Why the count changes (events, conditions); undefined when it does not. */
  readonly rescaleReason?: string;
  readonly conditions: Condition[];
}

const cond = (type: string, status: string, reason: string, message: string): Condition => ({
  type,
  status,
  reason,
  message,
});

/** What metric the HPA would need (for the ScalingActive message). */
function firstMetric(hpa: HPA): string {
  const m = hpa.spec?.metrics?.[0];
  const name = m?.resource?.name ?? m?.containerResource?.name ?? "cpu";
  return m === undefined || m.type === "Resource" || m.type === "ContainerResource"
    ? `failed to get ${name} utilization: unable to get metrics for resource ${name}: no metrics returned from resource metrics API`
    : `unable to fetch metrics for ${m.type} metric: no metrics API is served`;
}

/** `reconcileAutoscaler` without metrics: the replica count it wants and its conditions. */
export function decide(hpa: HPA, current: number): Decision {
  const min = hpa.spec?.minReplicas ?? 1;
  const max = hpa.spec?.maxReplicas ?? 1;
  if (current === 0 && min !== 0) {
    return {
      desired: 0,
      conditions: [
        cond(
          "AbleToScale",
          "True",
          "SucceededGetScale",
          "the HPA controller was able to get the target's current scale",
        ),
        cond(
          "ScalingActive",
          "False",
          "ScalingDisabled",
          "scaling is disabled since the replica count of the target is zero",
        ),
      ],
    };
  }
  let desired = current;
  let rescaleReason: string | undefined;
  const active =
    current > max || current < min
      ? cond(
          "ScalingActive",
          "True",
          "ValidMetricFound",
          "the HPA was able to successfully calculate a replica count",
        )
      : cond(
          "ScalingActive",
          "False",
          "FailedGetResourceMetric",
          `the HPA was unable to compute the replica count: ${firstMetric(hpa)}`,
        );
  let limited = cond(
    "ScalingLimited",
    "False",
    "DesiredWithinRange",
    "the desired count is within the acceptable range",
  );
  if (current > max) {
    desired = max;
    rescaleReason = "Current number of replicas above Spec.MaxReplicas";
    limited = cond(
      "ScalingLimited",
      "True",
      "TooManyReplicas",
      "the desired replica count is more than the maximum replica count",
    );
  } else if (current < min) {
    desired = min;
    rescaleReason = "Current number of replicas below Spec.MinReplicas";
    limited = cond(
      "ScalingLimited",
      "True",
      "TooFewReplicas",
      "the desired replica count is less than the minimum replica count",
    );
  }
  const able = rescaleReason
    ? cond(
        "AbleToScale",
        "True",
        "SucceededRescale",
        `the HPA controller was able to update the target scale to ${desired}`,
      )
    : cond("AbleToScale", "True", "ReadyForNewScale", "recommended size matches current size");
  return {
    desired,
    ...(rescaleReason ? { rescaleReason } : {}),
    conditions: [able, active, limited],
  };
}

/** Conditions keep their transition time while their status stays. */
function withTimes(next: Condition[], prev: Condition[] | undefined, now: string): Condition[] {
  return next.map((c) => {
    const old = prev?.find((p) => p.type === c.type);
    return {
      ...c,
      lastTransitionTime:
        old && old.status === c.status && old.lastTransitionTime ? old.lastTransitionTime : now,
    };
  });
}

/** The status of an HPA whose target's scale could not be read. */
function failedGetScale(
  hpa: HPA,
  why: string,
  now: string,
): AutoscalingV2HorizontalPodAutoscalerStatus {
  const able = cond(
    "AbleToScale",
    "False",
    "FailedGetScale",
    `the HPA controller was unable to get the target's current scale: ${why}`,
  );
  return {
    ...(hpa.status ?? {}),
    desiredReplicas: hpa.status?.desiredReplicas ?? 0,
    conditions: withTimes([able], hpa.status?.conditions, now),
  };
}

export class HorizontalController implements Controller {
  readonly name = "horizontal-pod-autoscaler-controller";
  readonly #ctx: ControllerContext;
  readonly #hpas: Informer<HPA>;
  readonly #queue = new WorkQueue<string>({ maxDelayMs: 60_000 });
  readonly #delayed: DelayedEnqueuer;

  constructor(ctx: ControllerContext) {
    this.#ctx = ctx;
    this.#delayed = new DelayedEnqueuer(ctx.clock, this.#queue);
    this.#hpas = ctx.informers.informer<HPA>(resources.horizontalpodautoscalers);
    this.#hpas.addHandlers({
      onAdd: (h) => this.#queue.add(keyOf(h)),
      onUpdate: (old, h) => {
        if (old.metadata?.generation !== h.metadata?.generation) this.#queue.add(keyOf(h));
      },
      onDelete: (h) => this.#delayed.cancel(keyOf(h)),
    });
  }

  async #sync(key: string): Promise<void> {
    const hpa = this.#hpas.getByKey(key);
    if (!hpa || hpa.metadata?.deletionTimestamp) return;
    this.#delayed.addAfter(key, syncPeriodMs);
    const ns = hpa.metadata?.namespace ?? "";
    const ref = hpa.spec?.scaleTargetRef;
    const group = (ref?.apiVersion ?? "").split("/").slice(0, -1).join("/");
    const gvr = scalable[`${group}/${ref?.kind}`];
    const now = formatTime(this.#ctx.clock.now());
    let status: AutoscalingV2HorizontalPodAutoscalerStatus;
    if (!gvr || !ref) {
      status = failedGetScale(hpa, `no matches for kind "${ref?.kind}" in group "${group}"`, now);
    } else {
      const scalePath = resourcePath(gvr, ns, ref.name, "scale");
      let scale: Scale;
      try {
        scale = await this.#ctx.client.get<Scale>(scalePath);
      } catch (err) {
        if (!isStatusError(err, "NotFound")) throw err;
        this.#ctx.recorder.event(hpa, "Warning", "FailedGetScale", (err as Error).message);
        await this.#writeStatus(hpa, failedGetScale(hpa, (err as Error).message, now));
        return;
      }
      const current = scale.spec?.replicas ?? 0;
      const d = decide(hpa, current);
      let lastScaleTime = hpa.status?.lastScaleTime;
      if (d.rescaleReason) {
        await this.#ctx.client.update(scalePath, { ...scale, spec: { replicas: d.desired } });
        this.#ctx.recorder.event(
          hpa,
          "Normal",
          "SuccessfulRescale",
          `New size: ${d.desired}; reason: ${d.rescaleReason}`,
        );
        lastScaleTime = now;
      } else if (d.conditions[1]?.reason === "FailedGetResourceMetric") {
        this.#ctx.recorder.event(
          hpa,
          "Warning",
          "FailedGetResourceMetric",
          d.conditions[1].message ?? "",
        );
      }
      status = {
        observedGeneration: hpa.metadata?.generation ?? 0,
        currentReplicas: scale.status?.replicas ?? 0,
        desiredReplicas: d.desired,
        ...(lastScaleTime ? { lastScaleTime } : {}),
        conditions: withTimes(d.conditions, hpa.status?.conditions, now),
      };
    }
    await this.#writeStatus(hpa, status);
  }

  #writeStatus(hpa: HPA, status: AutoscalingV2HorizontalPodAutoscalerStatus): Promise<void> {
    return writeStatusIfChanged(this.#ctx.client, resources.horizontalpodautoscalers, hpa, status);
  }

  async run(signal: AbortSignal): Promise<void> {
    await this.#hpas.synced();
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
