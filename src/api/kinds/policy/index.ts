/**
 * The policy kinds this folder defines (LimitRange, ResourceQuota, PriorityClass,
 * PodDisruptionBudget), as the resource table wants them. See README.md.
 */
import type { KubeObject } from "../../object.ts";
import type { ResourceDefinition } from "../../resource.ts";
import { limitRangeResource } from "./limit-range.ts";
import { podDisruptionBudgetResource } from "./pod-disruption-budget.ts";
import { priorityClassResource } from "./priority-class.ts";
import { resourceQuotaResource } from "./resource-quota.ts";

/** Each definition is typed for its kind; the registry sees them as plain objects. */
const erase = <T extends KubeObject>(def: ResourceDefinition<T>): ResourceDefinition =>
  def as unknown as ResourceDefinition;

export const policyResources: ResourceDefinition[] = [
  erase(resourceQuotaResource),
  erase(limitRangeResource),
  erase(podDisruptionBudgetResource),
  erase(priorityClassResource),
];
