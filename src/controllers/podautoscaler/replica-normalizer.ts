/**
 * From the replica count the metrics propose to the count the controller sets, as upstream's
 * `horizontal.go` does it: `normalizeDesiredReplicas` when the HPA has no `spec.behavior` (the
 * highest recommendation of the downscale stabilization window, at most double or +4 at once,
 * within min/max) and `normalizeDesiredReplicasWithBehaviors` when it has one (stabilization
 * windows both ways, then the scale-up and scale-down policies over the recent scale events,
 * `selectPolicy` Max, Min or Disabled). The recommendations and scale events are kept in memory
 * per HPA key, as upstream keeps them; a restarted controller starts them afresh.
 */
import type { HorizontalPodAutoscalerBehavior } from "../../api/generated/types.ts";
import type { Clock } from "../../machinery/clock.ts";
import type { ConditionChange } from "./hpa-status.ts";
import {
  convertDesiredReplicasWithRules,
  downLimit,
  type Limit,
  type Rules,
  ready,
  type ScaleEvent,
  scaleDownLimit,
  scaleUpLimit,
  tooFew,
  tooMany,
  upLimit,
  withDefaults,
  withinRange,
} from "./scaling-rules.ts";

export interface Normalized {
  readonly desired: number;
  readonly conditions: readonly ConditionChange[];
}

export interface NormalizeArgs {
  readonly key: string;
  readonly behavior: HorizontalPodAutoscalerBehavior | undefined;
  readonly minReplicas: number;
  readonly maxReplicas: number;
  readonly currentReplicas: number;
  readonly desiredReplicas: number;
}

interface Recommendation {
  recommendation: number;
  timestamp: number;
}

export class ReplicaNormalizer {
  readonly #clock: Clock;
  readonly #downscaleWindowSeconds: number;
  readonly #recommendations = new Map<string, Recommendation[]>();
  readonly #ups = new Map<string, ScaleEvent[]>();
  readonly #downs = new Map<string, ScaleEvent[]>();

  constructor(clock: Clock, downscaleStabilisationWindowMs = 300_000) {
    this.#clock = clock;
    this.#downscaleWindowSeconds = Math.trunc(downscaleStabilisationWindowMs / 1000);
  }

  /** `recordInitialRecommendation`: the first sync of an HPA recommends its current count. */
  recordInitialRecommendation(current: number, key: string): void {
    if (!this.#recommendations.has(key)) {
      this.#recommendations.set(key, [{ recommendation: current, timestamp: this.#clock.now() }]);
    }
  }

  /** The HPA is gone: drop its history. */
  forget(key: string): void {
    this.#recommendations.delete(key);
    this.#ups.delete(key);
    this.#downs.delete(key);
  }

  normalize(args: NormalizeArgs): Normalized {
    return args.behavior ? this.#withBehaviors(args, args.behavior) : this.#withoutBehaviors(args);
  }

  /** `normalizeDesiredReplicas`. */
  #withoutBehaviors(a: NormalizeArgs): Normalized {
    const stabilized = this.#stabilize(a.key, a.desiredReplicas);
    const able: ConditionChange =
      stabilized !== a.desiredReplicas
        ? [
            "AbleToScale",
            "True",
            "ScaleDownStabilized",
            "recent recommendations were higher than current one, applying the highest recent recommendation",
          ]
        : ready;
    const c = convertDesiredReplicasWithRules(
      a.currentReplicas,
      stabilized,
      a.minReplicas,
      a.maxReplicas,
    );
    const limited = c.desired === stabilized ? "False" : "True";
    return {
      desired: c.desired,
      conditions: [able, ["ScalingLimited", limited, c.reason, c.message]],
    };
  }

  /** `stabilizeRecommendation`: the highest recommendation within the downscale window. */
  #stabilize(key: string, desired: number): number {
    const now = this.#clock.now();
    const cutoff = now - this.#downscaleWindowSeconds * 1000;
    const recs = this.#recommendations.get(key) ?? [];
    let max = desired;
    let old = -1;
    recs.forEach((r, i) => {
      if (r.timestamp < cutoff) old = i;
      else if (r.recommendation > max) max = r.recommendation;
    });
    const fresh = { recommendation: desired, timestamp: now };
    if (old >= 0) recs[old] = fresh;
    else recs.push(fresh);
    this.#recommendations.set(key, recs);
    return max;
  }

  /** `normalizeDesiredReplicasWithBehaviors`. */
  #withBehaviors(a: NormalizeArgs, behavior: HorizontalPodAutoscalerBehavior): Normalized {
    const up = withDefaults(behavior.scaleUp, true, this.#downscaleWindowSeconds);
    const down = withDefaults(behavior.scaleDown, false, this.#downscaleWindowSeconds);
    const { recommendation, reason, message } = this.#stabilizeWithBehaviors(a, up, down);
    const able: ConditionChange =
      recommendation !== a.desiredReplicas ? ["AbleToScale", "True", reason, message] : ready;
    const rate = this.#convertWithBehaviorRate({ ...a, desiredReplicas: recommendation }, up, down);
    if (rate === undefined) return { desired: recommendation, conditions: [able, withinRange] };
    return {
      desired: rate.desired,
      conditions: [
        able,
        [
          "ScalingLimited",
          rate.desired === recommendation ? "False" : "True",
          rate.reason,
          rate.message,
        ],
      ],
    };
  }

  /** `stabilizeRecommendationWithBehaviors`: the current count held between the windows' bounds. */
  #stabilizeWithBehaviors(
    a: NormalizeArgs,
    up: Rules,
    down: Rules,
  ): { recommendation: number; reason: string; message: string } {
    const now = this.#clock.now();
    const upCutoff = now - up.stabilizationWindowSeconds * 1000;
    const downCutoff = now - down.stabilizationWindowSeconds * 1000;
    let upRecommendation = a.desiredReplicas;
    let downRecommendation = a.desiredReplicas;
    let old = -1;
    const recs = this.#recommendations.get(a.key) ?? [];
    recs.forEach((r, i) => {
      if (r.timestamp > upCutoff) upRecommendation = Math.min(r.recommendation, upRecommendation);
      if (r.timestamp > downCutoff)
        downRecommendation = Math.max(r.recommendation, downRecommendation);
      if (r.timestamp < upCutoff && r.timestamp < downCutoff) old = i;
    });
    let recommendation = a.currentReplicas;
    if (recommendation < upRecommendation) recommendation = upRecommendation;
    if (recommendation > downRecommendation) recommendation = downRecommendation;
    const fresh = { recommendation: a.desiredReplicas, timestamp: now };
    if (old >= 0) recs[old] = fresh;
    else recs.push(fresh);
    this.#recommendations.set(a.key, recs);
    return a.desiredReplicas >= a.currentReplicas
      ? {
          recommendation,
          reason: "ScaleUpStabilized",
          message:
            "recent recommendations were lower than current one, applying the lowest recent recommendation",
        }
      : {
          recommendation,
          reason: "ScaleDownStabilized",
          message:
            "recent recommendations were higher than current one, applying the highest recent recommendation",
        };
  }

  /** `convertDesiredReplicasWithBehaviorRate`; undefined when the count is within range. */
  #convertWithBehaviorRate(
    a: NormalizeArgs,
    up: Rules,
    down: Rules,
  ): (Limit & { desired: number }) | undefined {
    const now = this.#clock.now();
    const ups = this.#ups.get(a.key) ?? [];
    const downs = this.#downs.get(a.key) ?? [];
    const current = a.currentReplicas;
    if (a.desiredReplicas > current) {
      const limit = Math.max(scaleUpLimit(current, ups, downs, up, now), current);
      const maxAllowed = Math.min(a.maxReplicas, limit);
      if (a.desiredReplicas > maxAllowed) {
        return { desired: maxAllowed, ...(a.maxReplicas > limit ? upLimit : tooMany) };
      }
    } else if (a.desiredReplicas < current) {
      const limit = Math.min(scaleDownLimit(current, ups, downs, down, now), current);
      const minAllowed = Math.max(a.minReplicas, limit);
      if (a.desiredReplicas < minAllowed) {
        return { desired: minAllowed, ...(a.minReplicas < limit ? downLimit : tooFew) };
      }
    }
    return undefined;
  }

  /** `storeScaleEvent`: kept only for HPAs with a behavior, reusing an outdated slot. */
  storeScaleEvent(
    behavior: HorizontalPodAutoscalerBehavior | undefined,
    key: string,
    prev: number,
    next: number,
  ): void {
    if (!behavior) return;
    const isUp = next > prev;
    const rules = withDefaults(
      isUp ? behavior.scaleUp : behavior.scaleDown,
      isUp,
      this.#downscaleWindowSeconds,
    );
    const longest = Math.max(0, ...rules.policies.map((p) => p.periodSeconds));
    const now = this.#clock.now();
    const store = isUp ? this.#ups : this.#downs;
    const events = store.get(key) ?? [];
    for (const e of events) if (e.timestamp < now - longest * 1000) e.outdated = true;
    const event: ScaleEvent = {
      replicaChange: Math.abs(next - prev),
      timestamp: now,
      outdated: false,
    };
    let slot = -1;
    events.forEach((e, i) => {
      if (e.outdated) slot = i;
    });
    if (slot >= 0) events[slot] = event;
    else events.push(event);
    store.set(key, events);
  }
}
