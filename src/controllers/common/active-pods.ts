/**
 * Which pods a controller deletes first when it scales down (upstream `ActivePodsWithRanks`):
 * the "smaller" pod goes first. In order: unassigned before assigned; Pending before Unknown
 * before Running; not ready before ready; lower `controller.kubernetes.io/pod-deletion-cost`
 * first; more related pods on the same node (higher rank) first; ready for less time first; more
 * container restarts first; newer before older. Times compare on a log2 scale of their age
 * (`LogarithmicScaleDown`), so pods of similar age fall in one bucket and tie on uid.
 */
import type { Pod } from "../../api/generated/types.ts";
import { parseTime } from "../../machinery/time.ts";
import { isPodReady, podReadyTime } from "./pod-utils.ts";

export const podDeletionCostAnnotation = "controller.kubernetes.io/pod-deletion-cost";

const podPhaseToOrdinal: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };

export interface RankedPod<P extends Pod = Pod> {
  readonly pod: P;
  /** Related active pods on the same node (upstream's rank); 0 when unranked. */
  readonly rank: number;
}

/** A sort comparator: negative when `a` should be deleted before `b`. */
export function compareActivePods(nowMs: number): (a: RankedPod, b: RankedPod) => number {
  return (a, b) => (activePodLess(a, b, nowMs) ? -1 : activePodLess(b, a, nowMs) ? 1 : 0);
}

export function activePodLess(a: RankedPod, b: RankedPod, nowMs: number): boolean {
  const pi = a.pod;
  const pj = b.pod;
  const nodeI = pi.spec?.nodeName ?? "";
  const nodeJ = pj.spec?.nodeName ?? "";
  if (nodeI !== nodeJ && (nodeI === "" || nodeJ === "")) return nodeI === "";
  const phaseI = podPhaseToOrdinal[pi.status?.phase ?? ""] ?? 0;
  const phaseJ = podPhaseToOrdinal[pj.status?.phase ?? ""] ?? 0;
  if (phaseI !== phaseJ) return phaseI < phaseJ;
  const readyI = isPodReady(pi);
  if (readyI !== isPodReady(pj)) return !readyI;
  const costI = deletionCost(pi);
  const costJ = deletionCost(pj);
  if (costI !== costJ) return costI < costJ;
  if (a.rank !== b.rank) return a.rank > b.rank;
  if (readyI) {
    const t = compareTimes(podReadyTime(pi), podReadyTime(pj), nowMs, pi, pj);
    if (t !== undefined) return t;
  }
  const restarts = compareMaxContainerRestarts(pi, pj);
  if (restarts !== undefined) return restarts;
  const created = compareTimes(
    parseTime(pi.metadata?.creationTimestamp),
    parseTime(pj.metadata?.creationTimestamp),
    nowMs,
    pi,
    pj,
  );
  return created ?? false;
}

/** The newer time is "less"; undefined when equal. Zero (absent) times are the least. */
function compareTimes(
  ti: number | undefined,
  tj: number | undefined,
  nowMs: number,
  pi: Pod,
  pj: Pod,
): boolean | undefined {
  if (ti === tj) return undefined;
  if (ti === undefined || tj === undefined || !nowMs) return afterOrZero(ti, tj);
  const diff = logarithmicRank(ti, nowMs) - logarithmicRank(tj, nowMs);
  if (diff === 0) return (pi.metadata?.uid ?? "") < (pj.metadata?.uid ?? "");
  return diff < 0;
}

function afterOrZero(ti: number | undefined, tj: number | undefined): boolean {
  if (ti === undefined || tj === undefined) return ti === undefined;
  return ti > tj;
}

/** floor(log2(age in nanoseconds)), -1 for times not in the past. */
function logarithmicRank(t: number, nowMs: number): number {
  const ageNs = (nowMs - t) * 1e6;
  return ageNs <= 0 ? -1 : Math.floor(Math.log2(ageNs));
}

function deletionCost(pod: Pod): number {
  const raw = pod.metadata?.annotations?.[podDeletionCostAnnotation];
  if (raw === undefined || !/^[-+]?\d+$/.test(raw.trim())) return 0;
  const v = Number(raw.trim());
  return v >= -(2 ** 31) && v < 2 ** 31 ? v : 0;
}

function compareMaxContainerRestarts(pi: Pod, pj: Pod): boolean | undefined {
  const [regularI, sidecarI] = maxContainerRestarts(pi);
  const [regularJ, sidecarJ] = maxContainerRestarts(pj);
  if (regularI !== regularJ) return regularI > regularJ;
  if (sidecarI !== sidecarJ) return sidecarI > sidecarJ;
  return undefined;
}

function maxContainerRestarts(pod: Pod): [number, number] {
  let regular = 0;
  for (const s of pod.status?.containerStatuses ?? []) regular = Math.max(regular, s.restartCount);
  const sidecars = new Set(
    (pod.spec?.initContainers ?? []).filter((c) => c.restartPolicy === "Always").map((c) => c.name),
  );
  let sidecar = 0;
  for (const s of pod.status?.initContainerStatuses ?? []) {
    if (sidecars.has(s.name)) sidecar = Math.max(sidecar, s.restartCount);
  }
  return [regular, sidecar];
}
