/**
 * ClusterRole aggregation (upstream `pkg/controller/clusterroleaggregation`): an aggregated
 * ClusterRole's rules are the rules of every other ClusterRole its `clusterRoleSelectors` match,
 * selectors in order, matched roles by name, each distinct rule once. Pure functions; the
 * controller loop that writes the result lives with the controller manager.
 */
import { isDeepStrictEqual } from "node:util";
import type { ClusterRole, PolicyRule } from "../../../api/generated/types.ts";
import { type LabelSelector, selectorFromLabelSelector } from "../../../machinery/labels.ts";

/** Semantic equality of rules: absent and empty lists are the same. */
function normalize(rule: PolicyRule): PolicyRule {
  const out: PolicyRule = { verbs: rule.verbs ?? [] };
  if (rule.apiGroups?.length) out.apiGroups = rule.apiGroups;
  if (rule.resources?.length) out.resources = rule.resources;
  if (rule.resourceNames?.length) out.resourceNames = rule.resourceNames;
  if (rule.nonResourceURLs?.length) out.nonResourceURLs = rule.nonResourceURLs;
  return out;
}

function sameRule(a: PolicyRule, b: PolicyRule): boolean {
  return isDeepStrictEqual(normalize(a), normalize(b));
}

/**
 * The rules `role` aggregates from `clusterRoles` (which may include `role` itself), or undefined
 * when it has no aggregationRule. Throws `LabelSelectorError` for a selector that does not parse,
 * as `syncClusterRole` returns the error.
 */
export function aggregatedRules(
  role: ClusterRole,
  clusterRoles: readonly ClusterRole[],
): PolicyRule[] | undefined {
  const aggregation = role.aggregationRule;
  if (aggregation === undefined || aggregation === null) return undefined;
  const name = role.metadata?.name ?? "";
  const rules: PolicyRule[] = [];
  for (const selector of aggregation.clusterRoleSelectors ?? []) {
    const parsed = selectorFromLabelSelector(selector as LabelSelector);
    const matched = clusterRoles
      .filter((r) => (r.metadata?.name ?? "") !== name)
      .filter((r) => parsed.matches(r.metadata?.labels ?? {}))
      .sort((a, b) => compareNames(a.metadata?.name ?? "", b.metadata?.name ?? ""));
    for (const other of matched) {
      for (const rule of other.rules ?? []) {
        if (!rules.some((r) => sameRule(r, rule))) rules.push(rule);
      }
    }
  }
  return rules;
}

function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The rules to write, or undefined when `role` is not aggregated or already up to date. */
export function aggregationUpdate(
  role: ClusterRole,
  clusterRoles: readonly ClusterRole[],
): PolicyRule[] | undefined {
  const rules = aggregatedRules(role, clusterRoles);
  if (rules === undefined) return undefined;
  const current = role.rules ?? [];
  const same = current.length === rules.length && current.every((r, i) => sameRule(r, rules[i]!));
  return same ? undefined : rules;
}

/** Names of the ClusterRoles with an aggregationRule (what the controller re-syncs on any change). */
export function aggregatedRoleNames(clusterRoles: readonly ClusterRole[]): string[] {
  return clusterRoles
    .filter((r) => r.aggregationRule !== undefined && r.aggregationRule !== null)
    .map((r) => r.metadata?.name ?? "");
}

/**
 * Every aggregated role's rules filled in, repeated until nothing changes (aggregated roles can
 * feed each other: view → edit → admin), as the controller converges. Returns copies.
 */
export function aggregateAll(clusterRoles: readonly ClusterRole[]): ClusterRole[] {
  const roles = structuredClone(clusterRoles) as ClusterRole[];
  for (let pass = 0; pass <= roles.length; pass++) {
    let changed = false;
    for (const role of roles) {
      const rules = aggregationUpdate(role, roles);
      if (rules === undefined) continue;
      role.rules = rules;
      changed = true;
    }
    if (!changed) break;
  }
  return roles;
}
