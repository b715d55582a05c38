/**
 * Builders for PolicyRules as upstream's `rbacv1helpers.NewRule(...).Groups(...).Resources(...)`
 * writes them, for the bootstrap policy and tests. Lists are kept in the order given.
 */
import type { PolicyRule } from "../../../api/generated/types.ts";

/** A resource rule: verbs on resources of the given API groups, optionally only these names. */
export function resourceRule(
  verbs: readonly string[],
  apiGroups: readonly string[],
  resources: readonly string[],
  resourceNames?: readonly string[],
): PolicyRule {
  const rule: PolicyRule = {
    apiGroups: [...apiGroups],
    resources: [...resources],
    verbs: [...verbs],
  };
  if (resourceNames && resourceNames.length > 0) rule.resourceNames = [...resourceNames];
  return rule;
}

/** A non-resource rule: verbs (lower-case HTTP methods) on URL paths, `*` suffix for prefixes. */
export function urlRule(verbs: readonly string[], urls: readonly string[]): PolicyRule {
  return { nonResourceURLs: [...urls], verbs: [...verbs] };
}

/** `eventsRule()`: create, update and patch of core and events.k8s.io events. */
export function eventsRule(): PolicyRule {
  return resourceRule(["create", "update", "patch"], ["", "events.k8s.io"], ["events"]);
}
