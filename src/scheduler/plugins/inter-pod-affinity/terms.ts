/**
 * Counting matches of pod (anti-)affinity terms per topology pair (topologyKey, node label
 * value), shared by InterPodAffinity's filtering and scoring.
 */
import type { Namespace } from "../../../api/generated/types.ts";
import { nothing } from "../../../machinery/labels.ts";
import type { Lister } from "../../framework/interface.ts";
import { type AffinityTerm, type PodInfo, termMatches } from "../../framework/pod-info.ts";

export type Labels = Readonly<Record<string, string>>;

/** "key\0value" → count; entries that reach zero are removed. */
export class TopologyCounts extends Map<string, number> {
  bump(nodeLabels: Labels, topologyKey: string, by: number): void {
    if (!Object.hasOwn(nodeLabels, topologyKey)) return;
    const key = pairKey(topologyKey, nodeLabels[topologyKey] ?? "");
    const n = (this.get(key) ?? 0) + by;
    if (n === 0) this.delete(key);
    else this.set(key, n);
  }

  count(nodeLabels: Labels, topologyKey: string): number {
    if (!Object.hasOwn(nodeLabels, topologyKey)) return 0;
    return this.get(pairKey(topologyKey, nodeLabels[topologyKey] ?? "")) ?? 0;
  }

  copy(): TopologyCounts {
    const c = new TopologyCounts();
    for (const [k, v] of this) c.set(k, v);
    return c;
  }
}

export const pairKey = (key: string, value: string): string => `${key}\u0000${value}`;

/** Affinity: `pod` must match every term; then each term's pair counts. */
export function updateWithAffinityTerms(
  counts: TopologyCounts,
  terms: readonly AffinityTerm[],
  pod: PodInfo,
  nodeLabels: Labels,
  by: number,
): void {
  if (!podMatchesAllTerms(terms, pod)) return;
  for (const t of terms) counts.bump(nodeLabels, t.topologyKey, by);
}

/** Anti-affinity: each term `pod` matches counts on its own. */
export function updateWithAntiAffinityTerms(
  counts: TopologyCounts,
  terms: readonly AffinityTerm[],
  pod: PodInfo,
  nsLabels: Labels | undefined,
  nodeLabels: Labels,
  by: number,
): void {
  for (const t of terms) {
    if (termMatches(t, pod, nsLabels)) counts.bump(nodeLabels, t.topologyKey, by);
  }
}

export function podMatchesAllTerms(terms: readonly AffinityTerm[], pod: PodInfo): boolean {
  if (terms.length === 0) return false;
  return terms.every((t) => termMatches(t, pod, undefined));
}

/**
 * The incoming pod's terms with namespaceSelector resolved into namespace names (so matching
 * existing pods needs no namespace lookups), as upstream `mergeAffinityTermNamespacesIfNotEmpty`.
 */
export function mergeTermNamespaces<T extends AffinityTerm>(
  terms: readonly T[],
  namespaces: Lister<Namespace>,
): T[] {
  return terms.map((t) => {
    if (t.namespaceSelector.matchesNothing()) return t;
    const merged = new Set(t.namespaces);
    for (const ns of namespaces.list()) {
      if (t.namespaceSelector.matches(ns.metadata?.labels ?? {}))
        merged.add(ns.metadata?.name ?? "");
    }
    return { ...t, namespaces: merged, namespaceSelector: nothing() };
  });
}

export const namespaceLabels = (namespaces: Lister<Namespace>, name: string): Labels =>
  namespaces.get("", name)?.metadata?.labels ?? {};
