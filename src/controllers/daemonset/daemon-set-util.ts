/**
 * DaemonSet pod helpers (upstream `pkg/controller/daemon/util`): the default tolerations every
 * daemon pod gets, the template a pod is made from (with the revision hash label), the node
 * affinity that pins a pod to its node for the scheduler, and reading that node back.
 */
import type {
  Affinity,
  DaemonSet,
  Pod,
  PodSpec,
  PodTemplateSpec,
  Toleration,
} from "../../api/generated/types.ts";
import { compareStrings } from "../../machinery/apply/go-json.ts";
import { getScaledValueFromIntOrPercent } from "../../machinery/intstr.ts";
import { controllerRevisionHashLabel } from "../history/controller-revision.ts";

export const daemonSetKind = { apiVersion: "apps/v1", kind: "DaemonSet" } as const;
/** `apps.DefaultDaemonSetUniqueLabelKey`. */
export const daemonSetUniqueLabel = controllerRevisionHashLabel;

const exists = (key: string, effect: NonNullable<Toleration["effect"]>): Toleration => ({
  key,
  operator: "Exists",
  effect,
});

/** `MatchToleration`: tolerations are unique by key, effect, operator and value. */
const sameToleration = (a: Toleration, b: Toleration) =>
  (a.key ?? "") === (b.key ?? "") &&
  (a.effect ?? "") === (b.effect ?? "") &&
  (a.operator ?? "") === (b.operator ?? "") &&
  (a.value ?? "") === (b.value ?? "");

/** `AddOrUpdateTolerationInPodSpec`. */
function addOrUpdateToleration(spec: PodSpec, toleration: Toleration): void {
  const current = spec.tolerations ?? [];
  const i = current.findIndex((t) => sameToleration(t, toleration));
  if (i >= 0) current[i] = toleration;
  else current.push(toleration);
  spec.tolerations = current;
}

/**
 * `AddOrUpdateDaemonPodTolerations`: daemon pods stay through node problems (not-ready and
 * unreachable NoExecute) and are placed despite pressure, unschedulable and, with hostNetwork,
 * network-unavailable NoSchedule taints.
 */
export function addOrUpdateDaemonPodTolerations(spec: PodSpec): void {
  addOrUpdateToleration(spec, exists("node.kubernetes.io/not-ready", "NoExecute"));
  addOrUpdateToleration(spec, exists("node.kubernetes.io/unreachable", "NoExecute"));
  addOrUpdateToleration(spec, exists("node.kubernetes.io/disk-pressure", "NoSchedule"));
  addOrUpdateToleration(spec, exists("node.kubernetes.io/memory-pressure", "NoSchedule"));
  addOrUpdateToleration(spec, exists("node.kubernetes.io/pid-pressure", "NoSchedule"));
  addOrUpdateToleration(spec, exists("node.kubernetes.io/unschedulable", "NoSchedule"));
  if (spec.hostNetwork) {
    addOrUpdateToleration(spec, exists("node.kubernetes.io/network-unavailable", "NoSchedule"));
  }
}

/** `CreatePodTemplate`: the template with default tolerations and the revision hash label. */
export function createPodTemplate(template: PodTemplateSpec, hash: string): PodTemplateSpec {
  const t = structuredClone(template);
  t.spec ??= { containers: [] };
  addOrUpdateDaemonPodTolerations(t.spec);
  t.metadata ??= {};
  t.metadata.labels = { ...(t.metadata.labels ?? {}) };
  if (hash) t.metadata.labels[daemonSetUniqueLabel] = hash;
  return t;
}

/**
 * `ReplaceDaemonSetPodNodeNameNodeAffinity`: the required node affinity becomes the single term
 * `metadata.name In [node]`, so the scheduler binds the pod there (the controller has already
 * checked the template's own terms against the node).
 */
export function replaceNodeNameNodeAffinity(
  affinity: Affinity | undefined,
  node: string,
): Affinity {
  const required = {
    nodeSelectorTerms: [
      { matchFields: [{ key: "metadata.name", operator: "In" as const, values: [node] }] },
    ],
  };
  const result = affinity ?? {};
  result.nodeAffinity = {
    ...(result.nodeAffinity ?? {}),
    requiredDuringSchedulingIgnoredDuringExecution: required,
  };
  return result;
}

/** `GetTargetNodeName`: spec.nodeName, or the node the `metadata.name In [x]` affinity names. */
export function getTargetNodeName(pod: Pod): string | undefined {
  if (pod.spec?.nodeName) return pod.spec.nodeName;
  const terms =
    pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution
      ?.nodeSelectorTerms ?? [];
  for (const term of terms) {
    for (const req of term.matchFields ?? []) {
      if (req.key === "metadata.name" && req.operator === "In" && req.values?.length === 1) {
        return req.values[0];
      }
    }
  }
  return undefined;
}

/** `IsPodUpdated`: the pod carries the current revision's hash. */
export const isPodUpdated = (pod: Pod, hash: string): boolean =>
  hash.length > 0 && pod.metadata?.labels?.[daemonSetUniqueLabel] === hash;

/**
 * `findUpdatedPodsOnNode`: the node's one updated and one old pod (terminating pods aside);
 * undefined when there are two of either, which `manage` will sort out.
 */
export function findUpdatedPodsOnNode<P extends Pod>(
  pods: readonly P[],
  hash: string,
): { newPod?: P; oldPod?: P } | undefined {
  let newPod: P | undefined;
  let oldPod: P | undefined;
  for (const pod of pods) {
    if (pod.metadata?.deletionTimestamp) continue;
    if (isPodUpdated(pod, hash)) {
      if (newPod) return undefined;
      newPod = pod;
    } else {
      if (oldPod) return undefined;
      oldPod = pod;
    }
  }
  return { ...(newPod ? { newPod } : {}), ...(oldPod ? { oldPod } : {}) };
}

/** `podByCreationTimestampAndPhase`: scheduled pods first, then oldest, then by name. */
export function byCreationTimestampAndPhase(a: Pod, b: Pod): number {
  const scheduled = (p: Pod) => (p.spec?.nodeName ? 0 : 1);
  return (
    scheduled(a) - scheduled(b) ||
    compareStrings(a.metadata?.creationTimestamp ?? "", b.metadata?.creationTimestamp ?? "") ||
    compareStrings(a.metadata?.name ?? "", b.metadata?.name ?? "")
  );
}

const scaled = (v: number | string | undefined, total: number): number => {
  try {
    return getScaledValueFromIntOrPercent(v ?? 0, total, true);
  } catch {
    return 0;
  }
};

/** `SurgeCount`: maxSurge of `total` nodes, rounded up; 0 unless RollingUpdate. */
export function surgeCount(ds: DaemonSet, total: number): number {
  const s = ds.spec?.updateStrategy;
  return s?.type === "RollingUpdate" ? scaled(s.rollingUpdate?.maxSurge, total) : 0;
}

/** `UnavailableCount`: maxUnavailable of `total` nodes, rounded up; 0 unless RollingUpdate. */
export function unavailableCount(ds: DaemonSet, total: number): number {
  const s = ds.spec?.updateStrategy;
  return s?.type === "RollingUpdate" ? scaled(s.rollingUpdate?.maxUnavailable, total) : 0;
}

/** `AllowsSurge`. */
export const allowsSurge = (ds: DaemonSet): boolean => surgeCount(ds, 1) !== 0;
