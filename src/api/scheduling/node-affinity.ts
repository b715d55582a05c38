/**
 * Node selector matching (upstream `component-helpers/scheduling/corev1/nodeaffinity`): terms
 * are ORed, a term's expressions and fields are ANDed, an empty term matches nothing. matchFields
 * supports `metadata.name` only, as upstream.
 */
import type { Node, NodeSelectorRequirement, NodeSelectorTerm, Pod } from "../generated/types.ts";

function requirementMatches(r: NodeSelectorRequirement, value: string | undefined): boolean {
  const values = r.values ?? [];
  switch (r.operator) {
    case "In":
      return value !== undefined && values.includes(value);
    case "NotIn":
      return value === undefined || !values.includes(value);
    case "Exists":
      return value !== undefined;
    case "DoesNotExist":
      return value === undefined;
    case "Gt":
    case "Lt": {
      if (value === undefined || values.length !== 1) return false;
      const have = Number.parseInt(value, 10);
      const want = Number.parseInt(values[0] ?? "", 10);
      if (!/^-?\d+$/.test(value) || Number.isNaN(want)) return false;
      return r.operator === "Gt" ? have > want : have < want;
    }
    default:
      return false;
  }
}

export function termMatches(
  term: NodeSelectorTerm,
  labels: Readonly<Record<string, string>>,
  nodeName: string,
): boolean {
  const exprs = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  if (exprs.length === 0 && fields.length === 0) return false;
  for (const r of exprs) {
    const v = Object.hasOwn(labels, r.key) ? labels[r.key] : undefined;
    if (!requirementMatches(r, v)) return false;
  }
  for (const r of fields) {
    if (r.key !== "metadata.name" || !requirementMatches(r, nodeName)) return false;
  }
  return true;
}

export const nodeSelectorTermsMatch = (
  terms: readonly NodeSelectorTerm[],
  labels: Readonly<Record<string, string>>,
  nodeName: string,
): boolean => terms.some((t) => termMatches(t, labels, nodeName));

/** spec.nodeSelector and requiredDuringScheduling node affinity (upstream `GetRequiredNodeAffinity`). */
export function requiredNodeAffinityMatches(pod: Pod, node: Node | undefined): boolean {
  const labels = node?.metadata?.labels ?? {};
  const name = node?.metadata?.name ?? "";
  for (const [k, v] of Object.entries(pod.spec?.nodeSelector ?? {})) {
    if (labels[k] !== v) return false;
  }
  const required = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  return !required || nodeSelectorTermsMatch(required.nodeSelectorTerms ?? [], labels, name);
}
