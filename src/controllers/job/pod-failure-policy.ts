/**
 * `spec.podFailurePolicy` (upstream `pod_failure_policy.go`): the first rule matching a failed
 * pod — by a container's non-zero exit code or by a pod condition — decides whether the failure
 * fails the whole Job (FailJob), is ignored (Ignore: not counted against backoffLimit), or is
 * counted as usual (Count; FailIndex too, as per-index back-off is not implemented).
 */
import type {
  ContainerStatus,
  PodFailurePolicy,
  PodFailurePolicyOnExitCodesRequirement,
} from "../../api/generated/types.ts";
import { isPodFailed, type JobObj, type PodObj } from "./job-pods.ts";

export interface PolicyMatch {
  /** The FailureTarget message when a FailJob rule matched. */
  readonly failJobMessage?: string;
  /** False when an Ignore rule matched. */
  readonly countFailed: boolean;
}

function matchingContainer(
  pod: PodObj,
  req: PodFailurePolicyOnExitCodesRequirement,
): ContainerStatus | undefined {
  const lists = [pod.status?.containerStatuses ?? [], pod.status?.initContainerStatuses ?? []];
  for (const statuses of lists) {
    for (const s of statuses) {
      if (req.containerName != null && req.containerName !== s.name) continue;
      const code = s.state?.terminated?.exitCode;
      if (code === undefined || code === 0) continue;
      if (req.values.includes(code) === (req.operator === "In")) return s;
    }
  }
  return undefined;
}

/** `matchPodFailurePolicy` for one failed pod. */
export function matchPodFailurePolicy(
  policy: PodFailurePolicy | undefined,
  pod: PodObj,
): PolicyMatch {
  const meta = pod.metadata ?? {};
  for (const [index, rule] of (policy?.rules ?? []).entries()) {
    let failJobMessage: string | undefined;
    if (rule.onExitCodes) {
      const c = matchingContainer(pod, rule.onExitCodes);
      if (!c) continue;
      const code = c.state?.terminated?.exitCode;
      failJobMessage = `Container ${c.name} for pod ${meta.namespace}/${meta.name} failed with exit code ${code} matching ${rule.action} rule at index ${index}`;
    } else if (rule.onPodConditions) {
      const patterns = rule.onPodConditions;
      const cond = (pod.status?.conditions ?? []).find((c) =>
        patterns.some((p) => p.type === c.type && p.status === c.status),
      );
      if (!cond) continue;
      failJobMessage = `Pod ${meta.namespace}/${meta.name} has condition ${cond.type} matching ${rule.action} rule at index ${index}`;
    } else continue;
    if (rule.action === "Ignore") return { countFailed: false };
    if (rule.action === "FailJob") return { failJobMessage, countFailed: true };
    return { countFailed: true };
  }
  return { countFailed: true };
}

/** `getFailJobMessage`: the message of the first failed pod a FailJob rule matches. */
export function failJobMessage(job: JobObj, pods: readonly PodObj[]): string | undefined {
  const policy = job.spec?.podFailurePolicy;
  if (!policy) return undefined;
  for (const pod of pods) {
    if (!isPodFailed(pod, job)) continue;
    const match = matchPodFailurePolicy(policy, pod);
    if (match.failJobMessage) return match.failJobMessage;
  }
  return undefined;
}

/** Whether a failed pod counts against backoffLimit. */
export function countsAsFailure(job: JobObj, pod: PodObj): boolean {
  return matchPodFailurePolicy(job.spec?.podFailurePolicy, pod).countFailed;
}
