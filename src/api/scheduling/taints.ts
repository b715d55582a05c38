/**
 * Taint and toleration matching (upstream `v1.Toleration.ToleratesTaint` and
 * `FindMatchingUntoleratedTaint`).
 */
import type { Taint, Toleration } from "../generated/types.ts";

export function toleratesTaint(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.key && t.key !== taint.key) return false;
  switch (t.operator ?? "Equal") {
    case "Equal":
      return (t.value ?? "") === (taint.value ?? "");
    case "Exists":
      return true;
    default:
      return false;
  }
}

export const tolerationsTolerateTaint = (
  tolerations: readonly Toleration[],
  taint: Taint,
): boolean => tolerations.some((t) => toleratesTaint(t, taint));

/** The first taint that passes `filter` and no toleration tolerates. */
export function findUntoleratedTaint(
  taints: readonly Taint[],
  tolerations: readonly Toleration[],
  filter: (t: Taint) => boolean,
): Taint | undefined {
  for (const taint of taints) {
    if (filter(taint) && !tolerationsTolerateTaint(tolerations, taint)) return taint;
  }
  return undefined;
}

export const doNotScheduleTaints = (t: Taint): boolean =>
  t.effect === "NoSchedule" || t.effect === "NoExecute";
