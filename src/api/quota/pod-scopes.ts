/**
 * The pod evaluator's scope matching (`podMatchesScopeFunc`) and its constraint that every
 * container state the cpu/memory resources a quota tracks (`podEvaluator.Constraints`).
 */
import type {
  Pod,
  PodAffinityTerm,
  ScopedResourceSelectorRequirement,
} from "../generated/types.ts";
import { computePodQOS } from "../kinds/workloads/pod-resources.ts";
import { toResourceList } from "./resource-list.ts";

const isTerminating = (pod: Pod) => (pod.spec?.activeDeadlineSeconds ?? -1) >= 0;

const isBestEffort = (pod: Pod) => computePodQOS(pod.spec) === "BestEffort";

function crossNamespaceTerms(terms: readonly PodAffinityTerm[] | undefined): boolean {
  return (terms ?? []).some(
    (t) => (t.namespaces ?? []).length > 0 || t.namespaceSelector !== undefined,
  );
}

/** Any pod (anti-)affinity term that reaches into other namespaces. */
function usesCrossNamespaceAffinity(pod: Pod): boolean {
  const a = pod.spec?.affinity;
  const weighted = (ts: { podAffinityTerm: PodAffinityTerm }[] | undefined) =>
    (ts ?? []).map((t) => t.podAffinityTerm);
  return [a?.podAffinity, a?.podAntiAffinity].some(
    (x) =>
      crossNamespaceTerms(x?.requiredDuringSchedulingIgnoredDuringExecution) ||
      crossNamespaceTerms(weighted(x?.preferredDuringSchedulingIgnoredDuringExecution)),
  );
}

/** PriorityClass scope: the pod's class as the label `PriorityClass=<name>` under the selector. */
function matchesPriorityClass(req: ScopedResourceSelectorRequirement, pod: Pod): boolean {
  const cls = pod.spec?.priorityClassName ?? "";
  const values = req.values ?? [];
  switch (req.operator) {
    case "Exists":
      return cls !== "";
    case "In":
      return values.includes(cls);
    case "NotIn":
      return !values.includes(cls);
    default:
      return false;
  }
}

export function podMatchesScope(req: ScopedResourceSelectorRequirement, pod: Pod): boolean {
  switch (req.scopeName) {
    case "Terminating":
      return isTerminating(pod);
    case "NotTerminating":
      return !isTerminating(pod);
    case "BestEffort":
      return isBestEffort(pod);
    case "NotBestEffort":
      return !isBestEffort(pod);
    case "PriorityClass":
      return matchesPriorityClass(req, pod);
    case "CrossNamespacePodAffinity":
      return usesCrossNamespaceAffinity(pod);
    default:
      return false;
  }
}

const validationSet = new Set([
  "cpu",
  "memory",
  "requests.cpu",
  "requests.memory",
  "limits.cpu",
  "limits.memory",
]);

/** The quota names one container's own requests and limits state. */
function containerNames(
  requests: Record<string, unknown> | undefined,
  limits: Record<string, unknown> | undefined,
) {
  const names = new Set<string>();
  for (const r of toResourceList(requests).keys()) names.add(r).add(`requests.${r}`);
  for (const r of toResourceList(limits).keys()) names.add(`limits.${r}`);
  return names;
}

/** `must specify limits.cpu for: a,b; requests.memory for: a` or undefined. */
export function podRequiredResources(required: readonly string[], pod: Pod): string | undefined {
  const needed = required.filter((r) => validationSet.has(r));
  if (needed.length === 0) return undefined;
  const missing = new Map<string, Set<string>>();
  for (const c of [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])]) {
    const have = containerNames(c.resources?.requests, c.resources?.limits);
    for (const r of needed) {
      if (!have.has(r)) missing.set(r, (missing.get(r) ?? new Set()).add(c.name));
    }
  }
  if (missing.size === 0) return undefined;
  const parts = [...missing.keys()]
    .sort()
    .map((r) => `${r} for: ${[...(missing.get(r) ?? [])].sort().join(",")}`);
  return `must specify ${parts.join("; ")}`;
}
