/**
 * A pod with what the scheduler derives from it computed once (upstream `framework.PodInfo`):
 * requests, affinity terms as selectors, host ports, priority. Plugins receive PodInfos, so the
 * per-node work of a scheduling cycle never re-parses quantities or selectors.
 */
import type { Pod, PodAffinityTerm, WeightedPodAffinityTerm } from "../../api/generated/types.ts";
import { nothing, type Selector, selectorFromLabelSelector } from "../../machinery/labels.ts";
import { podRequests, type Resource } from "./resource.ts";

export interface AffinityTerm {
  /** Namespaces named by the term (the pod's own when it names none and has no selector). */
  namespaces: Set<string>;
  readonly selector: Selector;
  readonly topologyKey: string;
  /** Nothing when absent, everything when `{}`. */
  namespaceSelector: Selector;
}

export interface WeightedAffinityTerm extends AffinityTerm {
  readonly weight: number;
}

export interface HostPort {
  readonly ip: string;
  readonly protocol: string;
  readonly port: number;
}

export interface PodInfo {
  readonly pod: Pod;
  readonly uid: string;
  /** `namespace/name`. */
  readonly key: string;
  readonly namespace: string;
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly priority: number;
  /** Effective requests (Filter) and requests with non-zero defaults (scoring). */
  readonly requests: Resource;
  readonly nonZeroRequests: Resource;
  readonly requiredAffinityTerms: readonly AffinityTerm[];
  readonly requiredAntiAffinityTerms: readonly AffinityTerm[];
  readonly preferredAffinityTerms: readonly WeightedAffinityTerm[];
  readonly preferredAntiAffinityTerms: readonly WeightedAffinityTerm[];
  readonly hostPorts: readonly HostPort[];
  /** Whether requests name nothing at all (BestEffort for the resources the scheduler counts). */
  readonly requestsNothing: boolean;
}

function newAffinityTerm(pod: Pod, term: PodAffinityTerm): AffinityTerm {
  const namespaces = new Set<string>();
  if ((term.namespaces ?? []).length === 0 && term.namespaceSelector === undefined) {
    namespaces.add(pod.metadata?.namespace ?? "");
  } else for (const ns of term.namespaces ?? []) namespaces.add(ns);
  return {
    namespaces,
    selector: safeSelector(term.labelSelector),
    topologyKey: term.topologyKey,
    namespaceSelector:
      term.namespaceSelector === undefined ? nothing() : safeSelector(term.namespaceSelector),
  };
}

function safeSelector(ls: Parameters<typeof selectorFromLabelSelector>[0]): Selector {
  try {
    return selectorFromLabelSelector(ls);
  } catch {
    return nothing();
  }
}

const weighted = (pod: Pod, terms: WeightedPodAffinityTerm[] | undefined) =>
  (terms ?? []).map((t) => ({ ...newAffinityTerm(pod, t.podAffinityTerm), weight: t.weight }));

function hostPortsOf(pod: Pod): HostPort[] {
  const out: HostPort[] = [];
  for (const c of pod.spec?.containers ?? []) {
    for (const p of c.ports ?? []) {
      if (!p.hostPort || p.hostPort <= 0) continue;
      out.push({ ip: p.hostIP || "0.0.0.0", protocol: p.protocol ?? "TCP", port: p.hostPort });
    }
  }
  return out;
}

/** Does the term select `pod`, whose namespace carries `nsLabels`? */
export function termMatches(
  term: AffinityTerm,
  pod: PodInfo,
  nsLabels: Readonly<Record<string, string>> | undefined,
): boolean {
  if (!term.namespaces.has(pod.namespace) && !term.namespaceSelector.matches(nsLabels ?? {})) {
    return false;
  }
  return term.selector.matches(pod.labels);
}

export function newPodInfo(pod: Pod, priority: number): PodInfo {
  const meta = pod.metadata ?? {};
  const affinity = pod.spec?.affinity;
  const requests = podRequests(pod);
  const nothingRequested =
    requests.milliCPU === 0 &&
    requests.memory === 0 &&
    requests.ephemeralStorage === 0 &&
    (requests.scalar?.size ?? 0) === 0;
  return {
    pod,
    uid: meta.uid ?? `${meta.namespace}/${meta.name}`,
    key: `${meta.namespace ?? ""}/${meta.name ?? ""}`,
    namespace: meta.namespace ?? "",
    name: meta.name ?? "",
    labels: meta.labels ?? {},
    priority,
    requests,
    nonZeroRequests: podRequests(pod, true),
    requiredAffinityTerms: (
      affinity?.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []
    ).map((t) => newAffinityTerm(pod, t)),
    requiredAntiAffinityTerms: (
      affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []
    ).map((t) => newAffinityTerm(pod, t)),
    preferredAffinityTerms: weighted(
      pod,
      affinity?.podAffinity?.preferredDuringSchedulingIgnoredDuringExecution,
    ),
    preferredAntiAffinityTerms: weighted(
      pod,
      affinity?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution,
    ),
    hostPorts: hostPortsOf(pod),
    requestsNothing: nothingRequested,
  };
}

export const hasAffinity = (p: PodInfo): boolean =>
  p.requiredAffinityTerms.length > 0 ||
  p.requiredAntiAffinityTerms.length > 0 ||
  p.preferredAffinityTerms.length > 0 ||
  p.preferredAntiAffinityTerms.length > 0;

export const hasRequiredAntiAffinity = (p: PodInfo): boolean =>
  p.requiredAntiAffinityTerms.length > 0;
