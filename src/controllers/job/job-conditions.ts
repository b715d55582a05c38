/**
 * Job conditions as upstream writes them: `Suspended`, the interim `SuccessCriteriaMet` and
 * `FailureTarget`, and the terminal `Complete` and `Failed`, with upstream's reasons and messages.
 */
import type { JobCondition } from "../../api/generated/types.ts";
import { type JobObj, rfc3339 } from "./job-pods.ts";

export type JobConditionType =
  | "Suspended"
  | "Complete"
  | "Failed"
  | "FailureTarget"
  | "SuccessCriteriaMet";

export const jobReasons = {
  backoffLimitExceeded: "BackoffLimitExceeded",
  deadlineExceeded: "DeadlineExceeded",
  completionsReached: "CompletionsReached",
  podFailurePolicy: "PodFailurePolicy",
  successPolicy: "SuccessPolicy",
} as const;

export const jobMessages = {
  backoffLimitExceeded: "Job has reached the specified backoff limit",
  deadlineExceeded: "Job was active longer than specified deadline",
  completionsReached: "Reached expected number of succeeded pods",
} as const;

export function newCondition(
  type: JobConditionType,
  status: "True" | "False",
  reason: string,
  message: string,
  now: number,
): JobCondition {
  const at = rfc3339(now);
  return { type, status, lastProbeTime: at, lastTransitionTime: at, reason, message };
}

export function findCondition(
  conditions: readonly JobCondition[] | undefined,
  type: JobConditionType,
): JobCondition | undefined {
  return (conditions ?? []).find((c) => c.type === type);
}

function hasTrue(job: JobObj, type: JobConditionType): boolean {
  return findCondition(job.status?.conditions, type)?.status === "True";
}

/** `IsJobFinished`: Complete or Failed is True. */
export function isJobFinished(job: JobObj): boolean {
  return hasTrue(job, "Complete") || hasTrue(job, "Failed");
}

/** The terminal condition (Complete or Failed) that is True, if any. */
export function finishedConditionOf(job: JobObj): JobCondition | undefined {
  return (job.status?.conditions ?? []).find(
    (c) => (c.type === "Complete" || c.type === "Failed") && c.status === "True",
  );
}

export function successCriteriaMetOf(job: JobObj): JobCondition | undefined {
  const c = findCondition(job.status?.conditions, "SuccessCriteriaMet");
  return c?.status === "True" ? c : undefined;
}

/**
 * `ensureJobConditionStatus`: sets the condition of `type` to the given status, reason and
 * message; a False condition is not added when absent. Returns whether anything changed.
 */
export function ensureConditionStatus(
  job: JobObj,
  condition: { type: JobConditionType; status: "True" | "False"; reason: string; message: string },
  now: number,
): boolean {
  job.status ??= {};
  const list = job.status.conditions ?? [];
  const { type, status, reason, message } = condition;
  const i = list.findIndex((c) => c.type === type);
  const existing = list[i];
  if (existing) {
    if (existing.status === status && existing.reason === reason && existing.message === message) {
      return false;
    }
    list[i] = newCondition(type, status, reason, message, now);
    return true;
  }
  if (status === "False") return false;
  job.status.conditions = [...list, newCondition(type, status, reason, message, now)];
  return true;
}
