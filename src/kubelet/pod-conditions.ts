/**
 * The pod conditions the kubelet owns (upstream `pkg/kubelet/status/generate.go` and
 * `kubetypes.PodConditionByKubelet`): PodReadyToStartContainers, Initialized, ContainersReady,
 * Ready and PodScheduled. Conditions other writers own (`DisruptionTarget`, readiness-gate
 * conditions, …) are carried over unchanged; Ready also requires every `spec.readinessGates`
 * condition to be True (reason `ReadinessGatesNotReady`).
 */
import type { Pod, PodCondition, PodStatus } from "../api/generated/types.ts";
import type { PodRuntimeStatus } from "./runtime.ts";

/** Condition types the kubelet computes; every other type is kept as the API has it. */
export const kubeletConditionTypes: ReadonlySet<string> = new Set([
  "PodScheduled",
  "Ready",
  "Initialized",
  "ContainersReady",
  "PodReadyToStartContainers",
  "PodResizePending",
  "PodResizeInProgress",
]);

interface Verdict {
  ok: boolean;
  reason?: string;
  message?: string;
}

function condition(
  type: string,
  verdict: Verdict,
  now: string,
  old: PodCondition[] | undefined,
): PodCondition {
  const status = verdict.ok ? "True" : "False";
  const before = old?.find((c) => c.type === type);
  return {
    type,
    status,
    lastProbeTime: null as unknown as string,
    lastTransitionTime:
      before?.status === status && before.lastTransitionTime ? before.lastTransitionTime : now,
    ...(verdict.reason && !verdict.ok ? { reason: verdict.reason } : {}),
    ...(verdict.message && !verdict.ok ? { message: verdict.message } : {}),
  };
}

function containersReady(runtime: PodRuntimeStatus, phase: PodStatus["phase"]): Verdict {
  if (phase === "Succeeded" || phase === "Failed") return { ok: false, reason: "PodCompleted" };
  const unready = runtime.containers.filter((c) => !c.ready).map((c) => c.name);
  if (runtime.containers.length > 0 && unready.length === 0) return { ok: true };
  return {
    ok: false,
    reason: "ContainersNotReady",
    message: `containers with unready status: [${unready.join(" ")}]`,
  };
}

/** Upstream's GeneratePodReadyCondition: ContainersReady, then every readiness gate True. */
function podReady(pod: Pod, containers: Verdict, old: PodCondition[] | undefined): Verdict {
  if (!containers.ok) return containers;
  const unready: string[] = [];
  for (const gate of pod.spec?.readinessGates ?? []) {
    const c = old?.find((o) => o.type === gate.conditionType);
    if (!c) {
      unready.push(
        `corresponding condition of pod readiness gate "${gate.conditionType}" does not exist.`,
      );
    } else if (c.status !== "True") {
      unready.push(
        `the status of pod readiness gate "${gate.conditionType}" is not "True", but ${c.status}`,
      );
    }
  }
  if (unready.length === 0) return { ok: true };
  return { ok: false, reason: "ReadinessGatesNotReady", message: unready.join(", ") };
}

function initialized(runtime: PodRuntimeStatus): Verdict {
  const incomplete = runtime.initContainers
    .filter((c) => !(c.state === "terminated" && (c.exitCode ?? 0) === 0))
    .map((c) => c.name);
  if (incomplete.length === 0) return { ok: true };
  return {
    ok: false,
    reason: "ContainersNotInitialized",
    message: `containers with incomplete status: [${incomplete.join(" ")}]`,
  };
}

/** The pod's conditions: others' conditions as they are, then the kubelet's, recomputed. */
export function podConditions(options: {
  pod: Pod;
  runtime: PodRuntimeStatus;
  phase: PodStatus["phase"];
  now: string;
}): PodCondition[] {
  const { pod, runtime, now } = options;
  const old = pod.status?.conditions;
  const kept = (old ?? []).filter((c) => !kubeletConditionTypes.has(c.type));
  const ready = containersReady(runtime, options.phase);
  const scheduled = old?.find((c) => c.type === "PodScheduled");
  return [
    ...kept,
    condition("PodReadyToStartContainers", { ok: Boolean(runtime.podIP) }, now, old),
    condition("Initialized", initialized(runtime), now, old),
    condition("Ready", podReady(pod, ready, old), now, old),
    condition("ContainersReady", ready, now, old),
    scheduled ?? condition("PodScheduled", { ok: true }, now, old),
  ];
}
