/**
 * DaemonSet status (upstream `updateDaemonSetStatus`, `storeDaemonSetStatus`): per node that
 * should run a pod, whether one is scheduled there and whether the oldest is ready, available
 * and at the current hash; pods on nodes that should not run one are misscheduled.
 */
import type { DaemonSet, DaemonSetStatus, Node } from "../../api/generated/types.ts";
import { resourcePath, resources } from "../../client/resources.ts";
import type { RestClient } from "../../client/rest-client.ts";
import { isPodAvailable, isPodReady } from "../common/pod-utils.ts";
import type { NodeToDaemonPods } from "./daemon-set-manage.ts";
import { byCreationTimestampAndPhase, isPodUpdated } from "./daemon-set-util.ts";
import { nodeShouldRunDaemonPod } from "./node-predicates.ts";

export function computeDaemonSetStatus(options: {
  ds: DaemonSet;
  nodes: readonly Node[];
  nodeToDaemonPods: NodeToDaemonPods;
  hash: string;
  now: number;
}): DaemonSetStatus {
  const { ds, hash, now } = options;
  const s: Required<
    Pick<
      DaemonSetStatus,
      | "desiredNumberScheduled"
      | "currentNumberScheduled"
      | "numberMisscheduled"
      | "numberReady"
      | "numberAvailable"
      | "updatedNumberScheduled"
    >
  > = {
    desiredNumberScheduled: 0,
    currentNumberScheduled: 0,
    numberMisscheduled: 0,
    numberReady: 0,
    numberAvailable: 0,
    updatedNumberScheduled: 0,
  };
  for (const node of options.nodes) {
    const pods = options.nodeToDaemonPods.get(node.metadata?.name ?? "") ?? [];
    if (!nodeShouldRunDaemonPod(node, ds).shouldRun) {
      if (pods.length > 0) s.numberMisscheduled++;
      continue;
    }
    s.desiredNumberScheduled++;
    const pod = [...pods].sort(byCreationTimestampAndPhase)[0];
    if (!pod) continue;
    s.currentNumberScheduled++;
    if (isPodReady(pod)) {
      s.numberReady++;
      if (isPodAvailable(pod, ds.spec?.minReadySeconds ?? 0, now)) s.numberAvailable++;
    }
    if (isPodUpdated(pod, hash)) s.updatedNumberScheduled++;
  }
  return { ...s, numberUnavailable: s.desiredNumberScheduled - s.numberAvailable };
}

const fields = [
  "desiredNumberScheduled",
  "currentNumberScheduled",
  "numberMisscheduled",
  "numberReady",
  "numberAvailable",
  "updatedNumberScheduled",
  "numberUnavailable",
] as const;

/** `storeDaemonSetStatus`: writes through `/status` when a count (or the generation) changed. */
export async function storeDaemonSetStatus(options: {
  client: RestClient;
  ds: DaemonSet;
  status: DaemonSetStatus;
  updateObservedGeneration: boolean;
}): Promise<void> {
  const { ds, status } = options;
  const old: Partial<DaemonSetStatus> = ds.status ?? {};
  const generation = ds.metadata?.generation ?? 0;
  const same = fields.every((f) => (old[f] ?? 0) === (status[f] ?? 0));
  if (same && (!options.updateObservedGeneration || (old.observedGeneration ?? 0) >= generation)) {
    return;
  }
  const next: DaemonSetStatus = { ...old, ...status };
  if (options.updateObservedGeneration) next.observedGeneration = generation;
  const meta = ds.metadata ?? {};
  const path = resourcePath(resources.daemonsets, meta.namespace, meta.name, "status");
  await options.client.update(path, { ...ds, status: next });
}
