/**
 * Toleration merging (upstream `pkg/util/tolerations`): two lists become one in which no
 * toleration is covered by another; of equal ones the first is kept.
 */
import type { Toleration } from "../generated/types.ts";

function sameToleration(a: Toleration, b: Toleration): boolean {
  return (
    (a.key ?? "") === (b.key ?? "") &&
    (a.operator ?? "") === (b.operator ?? "") &&
    (a.value ?? "") === (b.value ?? "") &&
    (a.effect ?? "") === (b.effect ?? "") &&
    (a.tolerationSeconds ?? null) === (b.tolerationSeconds ?? null)
  );
}

/** `isSuperset`: whether `ss` tolerates everything `t` does. */
export function isSuperset(ss: Toleration, t: Toleration): boolean {
  if (sameToleration(ss, t)) return true;
  const ssKey = ss.key ?? "";
  // An empty key with Exists matches every key and value.
  if ((t.key ?? "") !== ssKey && (ssKey !== "" || ss.operator !== "Exists")) return false;
  // An empty effect matches every effect.
  if ((t.effect ?? "") !== (ss.effect ?? "") && (ss.effect ?? "") !== "") return false;
  const ssSeconds = ss.tolerationSeconds ?? null;
  if (ss.effect === "NoExecute" && ssSeconds !== null) {
    const tSeconds = t.tolerationSeconds ?? null;
    if (tSeconds === null || tSeconds > ssSeconds) return false;
  }
  switch (ss.operator ?? "") {
    case "Equal":
    case "":
      return t.operator === "Equal" && (t.value ?? "") === (ss.value ?? "");
    case "Exists":
      return true;
    default:
      return false;
  }
}

/** `MergeTolerations`: `first` then `second`, dropping tolerations another one covers. */
export function mergeTolerations(
  first: readonly Toleration[],
  second: readonly Toleration[],
): Toleration[] {
  const all = [...first, ...second];
  const merged: Toleration[] = [];
  all.forEach((t, i) => {
    if (merged.some((m) => isSuperset(m, t))) return;
    const coveredLater = all
      .slice(i + 1)
      .some((later) => !sameToleration(t, later) && isSuperset(later, t));
    if (!coveredLater) merged.push(t);
  });
  return merged;
}
