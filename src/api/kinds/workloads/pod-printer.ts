/**
 * `kubectl get pods` columns and the STATUS / RESTARTS logic of upstream's `printPod`.
 */
import type { ContainerStatus, Pod } from "../../generated/types.ts";
import { column, humanDuration, type Printer } from "../../printer.ts";
import { ageColumn, ageOf, nameColumn, nameOf } from "./common.ts";

interface Summary {
  reason: string;
  ready: number;
  total: number;
  restarts: number;
  /** Milliseconds since the epoch of the last restart, 0 when unknown. */
  lastRestart: number;
}

const finishedAt = (s: ContainerStatus): number => {
  const t = s.lastState?.terminated?.finishedAt;
  return t ? Date.parse(t) || 0 : 0;
};

const isSidecar = (pod: Pod, name: string): boolean =>
  (pod.spec?.initContainers ?? []).some((c) => c.name === name && c.restartPolicy === "Always");

const hasTrueCondition = (pod: Pod, type: string): boolean =>
  (pod.status?.conditions ?? []).some((c) => c.type === type && c.status === "True");

function terminatedReason(s: ContainerStatus, prefix: string): string | undefined {
  const t = s.state?.terminated;
  if (!t) return undefined;
  if (t.reason) return prefix + t.reason;
  return t.signal ? `${prefix}Signal:${t.signal}` : `${prefix}ExitCode:${t.exitCode}`;
}

/** Walks init container statuses; returns whether the pod is still initializing. */
function summarizeInit(pod: Pod, sum: Summary, sidecar: { restarts: number; last: number }) {
  const statuses = pod.status?.initContainerStatuses ?? [];
  const count = (pod.spec?.initContainers ?? []).length;
  for (const [i, s] of statuses.entries()) {
    sum.restarts += s.restartCount ?? 0;
    sum.lastRestart = Math.max(sum.lastRestart, finishedAt(s));
    const restartable = isSidecar(pod, s.name);
    if (restartable) {
      sidecar.restarts += s.restartCount ?? 0;
      sidecar.last = Math.max(sidecar.last, finishedAt(s));
    }
    const term = s.state?.terminated;
    if (term && term.exitCode === 0) continue;
    if (restartable && s.started) {
      if (s.ready) sum.ready++;
      continue;
    }
    const waiting = s.state?.waiting?.reason;
    if (term) sum.reason = terminatedReason(s, "Init:") ?? sum.reason;
    else if (waiting && waiting !== "PodInitializing") sum.reason = `Init:${waiting}`;
    else sum.reason = `Init:${i}/${count}`;
    return true;
  }
  return false;
}

function summarizeContainers(pod: Pod, sum: Summary): void {
  let hasRunning = false;
  const statuses = pod.status?.containerStatuses ?? [];
  for (let i = statuses.length - 1; i >= 0; i--) {
    const s = statuses[i]!;
    sum.restarts += s.restartCount ?? 0;
    sum.lastRestart = Math.max(sum.lastRestart, finishedAt(s));
    const waiting = s.state?.waiting?.reason;
    if (waiting) sum.reason = waiting;
    else if (s.state?.terminated) sum.reason = terminatedReason(s, "") ?? sum.reason;
    else if (s.ready && s.state?.running) {
      hasRunning = true;
      sum.ready++;
    }
  }
  if (sum.reason === "Completed" && hasRunning) {
    sum.reason = hasTrueCondition(pod, "Ready") ? "Running" : "NotReady";
  }
}

export function summarizePod(pod: Pod): Summary {
  const status = pod.status ?? {};
  const sum: Summary = {
    reason: status.reason || status.phase || "",
    ready: 0,
    total: (pod.spec?.containers ?? []).length,
    restarts: 0,
    lastRestart: 0,
  };
  for (const c of status.conditions ?? []) {
    if (c.type === "PodScheduled" && c.reason === "SchedulingGated") sum.reason = "SchedulingGated";
  }
  sum.total += (pod.spec?.initContainers ?? []).filter((c) => c.restartPolicy === "Always").length;
  const sidecar = { restarts: 0, last: 0 };
  const initializing = summarizeInit(pod, sum, sidecar);
  if (!initializing || hasTrueCondition(pod, "Initialized")) {
    sum.restarts = sidecar.restarts;
    sum.lastRestart = sidecar.last;
    summarizeContainers(pod, sum);
  }
  const phase = status.phase;
  if (pod.metadata?.deletionTimestamp && status.reason === "NodeLost") sum.reason = "Unknown";
  else if (pod.metadata?.deletionTimestamp && phase !== "Succeeded" && phase !== "Failed") {
    sum.reason = "Terminating";
  }
  return sum;
}

function readinessGates(pod: Pod): string {
  const gates = pod.spec?.readinessGates ?? [];
  if (gates.length === 0) return "<none>";
  const conditions = pod.status?.conditions ?? [];
  const ok = gates.filter(
    (g) => conditions.find((c) => c.type === g.conditionType)?.status === "True",
  ).length;
  return `${ok}/${gates.length}`;
}

export const podPrinter: Printer<Pod> = {
  columns: [
    nameColumn(),
    column("Ready", {
      description: "The aggregate readiness state of this pod for accepting traffic.",
    }),
    column("Status", { description: "The aggregate status of the containers in this pod." }),
    column("Restarts", {
      description:
        "The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.",
    }),
    ageColumn(),
    column("IP", {
      priority: 1,
      description:
        "podIP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.",
    }),
    column("Node", {
      priority: 1,
      description:
        "NodeName indicates in which node this pod is scheduled. If empty, this pod is a candidate for scheduling by the scheduler defined in schedulerName.",
    }),
    column("Nominated Node", {
      priority: 1,
      description:
        "nominatedNodeName is set only when this pod preempts other pods on the node, but it cannot be scheduled right away as preemption victims receive their graceful termination periods.",
    }),
    column("Readiness Gates", {
      priority: 1,
      description: "If specified, all readiness gates will be evaluated for pod readiness.",
    }),
  ],
  row(pod, now) {
    const sum = summarizePod(pod);
    let restarts = String(sum.restarts);
    if (sum.restarts !== 0 && sum.lastRestart > 0) {
      restarts = `${sum.restarts} (${humanDuration(now - sum.lastRestart)} ago)`;
    }
    const ip = pod.status?.podIPs?.[0]?.ip || pod.status?.podIP || "<none>";
    return [
      nameOf(pod),
      `${sum.ready}/${sum.total}`,
      sum.reason,
      restarts,
      ageOf(pod, now),
      ip,
      pod.spec?.nodeName || "<none>",
      pod.status?.nominatedNodeName || "<none>",
      readinessGates(pod),
    ];
  },
};
