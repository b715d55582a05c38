/**
 * Upstream's scaling rules, without state: the behavior's rules with the API's defaults, the
 * limits the scale-up and scale-down policies set from the recent scale events (`selectPolicy`
 * Max, Min or Disabled), and the limits of an HPA without a behavior (`convertDesiredReplicasWithRules`).
 * The ScalingLimited reasons and messages are upstream's.
 */
import type { HPAScalingRules } from "../../api/generated/types.ts";
import type { ConditionChange } from "./hpa-status.ts";

/** A scale change (absolute), reusable once older than the longest policy period. */
export interface ScaleEvent {
  replicaChange: number;
  timestamp: number;
  outdated: boolean;
}

const scaleUpLimitFactor = 2;
const scaleUpLimitMinimum = 4;

/** `GenerateHPAScaleUpRules` / `GenerateHPAScaleDownRules` for rules the API left unset. */
export function withDefaults(
  rules: HPAScalingRules | undefined,
  up: boolean,
  downscaleWindowSeconds: number,
): Required<Omit<HPAScalingRules, "tolerance">> {
  const policies = rules?.policies?.length
    ? rules.policies
    : up
      ? [
          { type: "Pods", value: 4, periodSeconds: 15 },
          { type: "Percent", value: 100, periodSeconds: 15 },
        ]
      : [{ type: "Percent", value: 100, periodSeconds: 15 }];
  return {
    policies,
    selectPolicy: rules?.selectPolicy ?? "Max",
    stabilizationWindowSeconds:
      rules?.stabilizationWindowSeconds ?? (up ? 0 : downscaleWindowSeconds),
  };
}

export type Rules = ReturnType<typeof withDefaults>;

/** `getReplicasChangePerPeriod`: the replicas changed within the last `periodSeconds`. */
function changeInPeriod(periodSeconds: number, events: readonly ScaleEvent[], now: number): number {
  const cutoff = now - periodSeconds * 1000;
  let replicas = 0;
  for (const e of events) if (e.timestamp > cutoff) replicas += e.replicaChange;
  return replicas;
}

/**
 * `calculateScaleUpLimitWithScalingRules` (`up`) and `calculateScaleDownLimitWithBehaviors`: the
 * most (fewest) replicas the policies allow, from what the replicas were at each policy's period
 * start. selectPolicy Max picks the policy that allows the largest change, Min the smallest.
 */
function scaleLimit(
  up: boolean,
  current: number,
  ups: readonly ScaleEvent[],
  downs: readonly ScaleEvent[],
  rules: Rules,
  now: number,
): number {
  if (rules.selectPolicy === "Disabled") return current;
  // Max (the largest change) is the highest count going up and the lowest going down; Min the
  // opposite.
  const highest = (rules.selectPolicy === "Min") !== up;
  const pick = highest ? Math.max : Math.min;
  let result = highest ? Number.MIN_SAFE_INTEGER : Number.MAX_SAFE_INTEGER;
  for (const p of rules.policies) {
    const start =
      current -
      changeInPeriod(p.periodSeconds, ups, now) +
      changeInPeriod(p.periodSeconds, downs, now);
    const proposed = up
      ? p.type === "Pods"
        ? start + p.value
        : Math.ceil(start * (1 + p.value / 100))
      : p.type === "Pods"
        ? start - p.value
        : Math.trunc(start * (1 - p.value / 100));
    result = pick(result, proposed);
  }
  return result;
}

export const scaleUpLimit = (
  current: number,
  ups: readonly ScaleEvent[],
  downs: readonly ScaleEvent[],
  rules: Rules,
  now: number,
): number => scaleLimit(true, current, ups, downs, rules, now);

export const scaleDownLimit = (
  current: number,
  ups: readonly ScaleEvent[],
  downs: readonly ScaleEvent[],
  rules: Rules,
  now: number,
): number => scaleLimit(false, current, ups, downs, rules, now);

export const withinRange: ConditionChange = [
  "ScalingLimited",
  "False",
  "DesiredWithinRange",
  "the desired count is within the acceptable range",
];
export interface Limit {
  readonly reason: string;
  readonly message: string;
}

export const tooMany: Limit = {
  reason: "TooManyReplicas",
  message: "the desired replica count is more than the maximum replica count",
};
export const tooFew: Limit = {
  reason: "TooFewReplicas",
  message: "the desired replica count is less than the minimum replica count",
};
export const upLimit: Limit = {
  reason: "ScaleUpLimit",
  message: "the desired replica count is increasing faster than the maximum scale rate",
};
export const downLimit: Limit = {
  reason: "ScaleDownLimit",
  message: "the desired replica count is decreasing faster than the maximum scale rate",
};
export const ready: ConditionChange = [
  "AbleToScale",
  "True",
  "ReadyForNewScale",
  "recommended size matches current size",
];

/** `convertDesiredReplicasWithRules` (no behavior): within min/max and max(2×current, 4). */
export function convertDesiredReplicasWithRules(
  current: number,
  desired: number,
  min: number,
  max: number,
): Limit & { desired: number } {
  const upCap = Math.max(scaleUpLimitFactor * current, scaleUpLimitMinimum);
  const maxAllowed = Math.min(max, upCap);
  if (desired < min) return { desired: min, ...tooFew };
  if (desired > maxAllowed) return { desired: maxAllowed, ...(max > upCap ? upLimit : tooMany) };
  return { desired, reason: withinRange[2], message: withinRange[3] };
}
