/**
 * A pod's priority as the scheduler orders and preempts by: spec.priority, which the Priority
 * admission plugin fills from the pod's PriorityClass, else 0 (upstream `PodPriority`).
 */
import type { Pod } from "../api/generated/types.ts";

export function podPriority(pod: Pod): number {
  const priority = pod.spec?.priority;
  return typeof priority === "number" ? priority : 0;
}
