/**
 * Taints the node lifecycle controller manages and the toleration rules the taint manager
 * applies (upstream `pkg/apis/core/v1/helper` `ToleratesTaint`, `GetMatchingTolerations`, and the
 * DefaultTolerationSeconds admission plugin's defaults).
 */
import type { Node, Taint, Toleration } from "../../api/generated/types.ts";
import { toleratesTaint } from "../../api/scheduling/taints.ts";

export const taintNodeNotReady = "node.kubernetes.io/not-ready";
export const taintNodeUnreachable = "node.kubernetes.io/unreachable";
export const taintNodeUnschedulable = "node.kubernetes.io/unschedulable";
export const taintNodeMemoryPressure = "node.kubernetes.io/memory-pressure";
export const taintNodeDiskPressure = "node.kubernetes.io/disk-pressure";
export const taintNodeNetworkUnavailable = "node.kubernetes.io/network-unavailable";
export const taintNodePIDPressure = "node.kubernetes.io/pid-pressure";

/** `nodeConditionToTaintKeyStatusMap`: the NoSchedule taint a condition status calls for. */
const conditionTaints: Record<string, Record<string, string>> = {
  Ready: { False: taintNodeNotReady, Unknown: taintNodeUnreachable },
  MemoryPressure: { True: taintNodeMemoryPressure },
  DiskPressure: { True: taintNodeDiskPressure },
  NetworkUnavailable: { True: taintNodeNetworkUnavailable },
  PIDPressure: { True: taintNodePIDPressure },
};

/** Taint keys whose NoSchedule taints this controller adds and removes. */
const managedNoScheduleKeys = new Set([
  ...Object.values(conditionTaints).flatMap((m) => Object.values(m)),
  taintNodeUnschedulable,
]);
const managedNoExecuteKeys = new Set([taintNodeNotReady, taintNodeUnreachable]);

const sameTaint = (a: Taint, b: Taint) => a.key === b.key && a.effect === b.effect;

function readyStatus(node: Node): string | undefined {
  return (node.status?.conditions ?? []).find((c) => c.type === "Ready")?.status;
}

/** `doNoScheduleTaintingPass`: NoSchedule taints from the node's conditions and spec. */
function noScheduleTaints(node: Node): Taint[] {
  const taints: Taint[] = [];
  for (const c of node.status?.conditions ?? []) {
    const key = conditionTaints[c.type]?.[c.status];
    if (key) taints.push({ key, effect: "NoSchedule" });
  }
  if (node.spec?.unschedulable) taints.push({ key: taintNodeUnschedulable, effect: "NoSchedule" });
  return taints;
}

/** The NoExecute taint for the node's Ready status (`processTaintBaseEviction`), if any. */
function noExecuteTaint(node: Node, now: string): Taint | undefined {
  const status = readyStatus(node);
  if (status === "False") return { key: taintNodeNotReady, effect: "NoExecute", timeAdded: now };
  if (status === "Unknown")
    return { key: taintNodeUnreachable, effect: "NoExecute", timeAdded: now };
  return undefined;
}

/**
 * The node's taints as this controller wants them: taints it does not manage are kept as they
 * are; managed ones follow the conditions, keeping an existing taint (and its timeAdded).
 */
export function desiredTaints(node: Node, now: string): Taint[] {
  const current = node.spec?.taints ?? [];
  const isManaged = (t: Taint) =>
    (t.effect === "NoSchedule" && managedNoScheduleKeys.has(t.key)) ||
    (t.effect === "NoExecute" && managedNoExecuteKeys.has(t.key));
  const wanted = noScheduleTaints(node);
  const noExecute = noExecuteTaint(node, now);
  if (noExecute) wanted.push(noExecute);
  const result = current.filter((t) => !isManaged(t) || wanted.some((w) => sameTaint(w, t)));
  for (const w of wanted) if (!result.some((t) => sameTaint(t, w))) result.push(w);
  return result;
}

/** `GetMatchingTolerations`: whether every taint is tolerated, and the tolerations used. */
export function matchingTolerations(
  taints: readonly Taint[],
  tolerations: readonly Toleration[],
): { allTolerated: boolean; used: Toleration[] } {
  const used: Toleration[] = [];
  for (const taint of taints) {
    const match = tolerations.find((t) => toleratesTaint(t, taint));
    if (!match) return { allTolerated: false, used: [] };
    used.push(match);
  }
  return { allTolerated: true, used };
}

/** `getMinTolerationTime` in seconds: 0 with none, -1 when they tolerate forever. */
export function minTolerationSeconds(used: readonly Toleration[]): number {
  if (used.length === 0) return 0;
  let min = Number.POSITIVE_INFINITY;
  for (const t of used) {
    if (t.tolerationSeconds === undefined) continue;
    if (t.tolerationSeconds <= 0) return 0;
    min = Math.min(min, t.tolerationSeconds);
  }
  return min === Number.POSITIVE_INFINITY ? -1 : min;
}

/**
 * The DefaultTolerationSeconds admission defaults, applied here: a pod that does not tolerate
 * the not-ready or unreachable NoExecute taint tolerates it for `seconds`.
 */
export function withDefaultTolerations(
  tolerations: readonly Toleration[],
  seconds: number,
): Toleration[] {
  const tolerates = (key: string) =>
    tolerations.some((t) => (t.key === key || !t.key) && (t.effect === "NoExecute" || !t.effect));
  const result = [...tolerations];
  for (const key of [taintNodeNotReady, taintNodeUnreachable]) {
    if (!tolerates(key)) {
      result.push({ key, operator: "Exists", effect: "NoExecute", tolerationSeconds: seconds });
    }
  }
  return result;
}
