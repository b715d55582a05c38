/**
 * What objects already use against a quota (upstream `quota.CalculateUsage` for one evaluator):
 * the objects inside the quota's scopes, their usage summed for the quota resource names the
 * evaluator charges. The ResourceQuota admission plugin and the resource quota controller share it.
 */

import { newQuantity } from "../../machinery/quantity.ts";
import type { ResourceQuota, ScopedResourceSelectorRequirement } from "../generated/types.ts";
import type { KubeObject } from "../object.ts";
import type { QuotaEvaluator } from "./evaluators.ts";
import { addInto, type ResourceList } from "./resource-list.ts";

/** The quota's scopes as selector requirements (`getScopeSelectorsFromQuota`). */
function scopeRequirements(q: ResourceQuota): ScopedResourceSelectorRequirement[] {
  return [
    ...(q.spec?.scopes ?? []).map((scopeName) => ({ scopeName, operator: "Exists" as const })),
    ...(q.spec?.scopeSelector?.matchExpressions ?? []),
  ];
}

export const inScope = (ev: QuotaEvaluator, q: ResourceQuota, obj: KubeObject) =>
  scopeRequirements(q).every((req) => ev.matchesScope(req, obj));

export function mask(list: ResourceList, names: readonly string[]): ResourceList {
  return new Map([...list].filter(([name]) => names.includes(name)));
}

/** What the objects already in the namespace use, for the quota's matched names. */
export function usedBy(
  objects: readonly KubeObject[],
  ev: QuotaEvaluator,
  q: ResourceQuota,
  names: string[],
) {
  const used: ResourceList = new Map(names.map((n) => [n, newQuantity(0, "DecimalSI")]));
  for (const o of objects) if (inScope(ev, q, o)) addInto(used, mask(ev.usage(o), names));
  return used;
}
