/**
 * The HPA's status as upstream writes it (`setStatus`), and its conditions as upstream's
 * `setConditionInList` keeps them: a condition keeps its place in the list and its transition
 * time while its status stays; a new type is appended.
 */
import type {
  AutoscalingV2HorizontalPodAutoscalerStatus,
  HorizontalPodAutoscalerCondition,
  MetricStatus,
} from "../../api/generated/types.ts";

/** A condition to set: type, status, reason, message. */
export type ConditionChange = readonly [
  type: string,
  status: string,
  reason: string,
  message: string,
];

export class Conditions {
  readonly #list: HorizontalPodAutoscalerCondition[];
  readonly #now: string;

  constructor(existing: readonly HorizontalPodAutoscalerCondition[] | undefined, now: string) {
    this.#list = (existing ?? []).map((c) => ({ ...c }));
    this.#now = now;
  }

  set(...[type, status, reason, message]: ConditionChange): void {
    let c = this.#list.find((x) => x.type === type);
    if (!c) {
      c = { type, status: "" };
      this.#list.push(c);
    }
    if (c.status !== status) c.lastTransitionTime = this.#now;
    c.status = status;
    c.reason = reason;
    c.message = message;
  }

  get(type: string): HorizontalPodAutoscalerCondition | undefined {
    return this.#list.find((x) => x.type === type);
  }

  list(): HorizontalPodAutoscalerCondition[] {
    return this.#list.map((c) => ({ ...c }));
  }
}

/** `setStatus`: what upstream writes (omitting what Go's `omitempty` leaves out). */
export function hpaStatus(o: {
  current: number;
  desired: number;
  metrics: MetricStatus[] | undefined;
  lastScaleTime: string | undefined;
  conditions: HorizontalPodAutoscalerCondition[];
}): AutoscalingV2HorizontalPodAutoscalerStatus {
  return {
    ...(o.current ? { currentReplicas: o.current } : {}),
    desiredReplicas: o.desired,
    ...(o.lastScaleTime ? { lastScaleTime: o.lastScaleTime } : {}),
    ...(o.metrics?.length ? { currentMetrics: o.metrics } : {}),
    ...(o.conditions.length ? { conditions: o.conditions } : {}),
  };
}
