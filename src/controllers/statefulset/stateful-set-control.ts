/**
 * One pass of the StatefulSet algorithm (upstream `defaultStatefulSetControl.updateStatefulSet`):
 * split pods into replicas (ordinals the set wants) and condemned (the rest); create missing
 * replicas in ordinal order, each waiting for its predecessors to be Running and Ready
 * (OrderedReady) or all at once (Parallel); delete condemned pods from the highest ordinal down;
 * then, for RollingUpdate, delete the highest-ordinal pod not at the update revision, down to the
 * partition, one at a time and only while the others are healthy.
 */
import type {
  ControllerRevision,
  Pod,
  StatefulSet,
  StatefulSetStatus,
} from "../../api/generated/types.ts";
import { applyRevision } from "../history/controller-revision.ts";
import type { StatefulPodControl } from "./stateful-pod-control.ts";
import { computeStatus } from "./stateful-set-status.ts";
import {
  allowsBurst,
  getOrdinal,
  getPodRevision,
  getStartOrdinal,
  identityMatches,
  isCreated,
  isFinished,
  isHealthy,
  isPending,
  isRunningAndAvailable,
  isRunningAndReady,
  isTerminating,
  newVersionedStatefulSetPod,
  podInOrdinalRange,
  storageMatches,
} from "./stateful-set-utils.ts";

export interface UpdateInput {
  readonly set: StatefulSet;
  readonly pods: readonly Pod[];
  readonly current: ControllerRevision;
  readonly update: ControllerRevision;
  readonly collisionCount: number;
  readonly control: StatefulPodControl;
  readonly now: () => number;
}

/** true: stop this pass (waiting, or something was done that must be observed first). */
type Step = (pod: Pod) => Promise<boolean>;

/** Runs `step` over pods: in order and stopping early when monotonic, else in slow-start batches. */
async function runForAll(pods: readonly Pod[], step: Step, monotonic: boolean): Promise<boolean> {
  if (monotonic) {
    for (const pod of pods) if (await step(pod)) return true;
    return false;
  }
  let batch = 1;
  for (let pos = 0; pos < pods.length; pos += batch, batch *= 2) {
    const results = await Promise.allSettled(pods.slice(pos, pos + batch).map(step));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
    if (failed) throw failed.reason;
  }
  return false;
}

/** Pods at wanted ordinals (missing ones built at the right revision), and the condemned rest, highest first. */
function partitionPods(input: UpdateInput): { replicas: Pod[]; condemned: Pod[] } {
  const { set, current, update } = input;
  const start = getStartOrdinal(set);
  const slots: Array<Pod | undefined> = new Array(set.spec?.replicas ?? 1).fill(undefined);
  const condemned: Pod[] = [];
  for (const pod of input.pods) {
    if (podInOrdinalRange(pod, set)) slots[getOrdinal(pod) - start] = pod;
    else if (getOrdinal(pod) >= 0) condemned.push(pod);
  }
  const currentSet = applyRevision(set, current);
  const updateSet = applyRevision(set, update);
  const replicas = slots.map(
    (pod, i) =>
      pod ??
      newVersionedStatefulSetPod({
        currentSet,
        updateSet,
        currentRevision: current.metadata?.name ?? "",
        updateRevision: update.metadata?.name ?? "",
        ordinal: start + i,
      }),
  );
  condemned.sort((a, b) => getOrdinal(b) - getOrdinal(a));
  return { replicas, condemned };
}

interface Pass {
  readonly set: StatefulSet;
  readonly updateSet: StatefulSet;
  readonly control: StatefulPodControl;
  readonly monotonic: boolean;
  readonly minReady: number;
  readonly now: () => number;
}

/** `processReplica`: replace finished pods, create missing ones, wait (monotonic) or repair. */
async function processReplica(p: Pass, pod: Pod): Promise<boolean> {
  const { set, updateSet, control, monotonic } = p;
  if (isFinished(pod)) {
    if (!isTerminating(pod)) await control.deleteStatefulPod(set, pod);
    return true; // a new pod is made once this one is gone
  }
  if (!isCreated(pod)) {
    await control.createStatefulPod(set, pod);
    return monotonic;
  }
  if (isPending(pod)) await control.createPersistentVolumeClaims(set, pod);
  if (monotonic && isTerminating(pod)) return true;
  if (monotonic && !isRunningAndReady(pod)) return true;
  if (monotonic && !isRunningAndAvailable(pod, p.minReady, p.now())) return true;
  const claimsMatch = control.claimsMatchRetentionPolicy(updateSet, pod);
  if (identityMatches(set, pod) && storageMatches(set, pod) && claimsMatch) return false;
  await control.updateStatefulPod(updateSet, pod);
  return false;
}

/** `processCondemned`: delete from the highest ordinal; monotonic waits on each and on health. */
async function processCondemned(p: Pass, pod: Pod, firstUnhealthy: Pod | undefined) {
  if (isTerminating(pod)) return p.monotonic;
  if (p.monotonic && pod !== firstUnhealthy) {
    if (!isRunningAndReady(pod) || !isRunningAndAvailable(pod, p.minReady, p.now())) return true;
  }
  await p.control.deleteStatefulPod(p.set, pod);
  return p.monotonic;
}

export async function updateStatefulSet(input: UpdateInput): Promise<StatefulSetStatus> {
  const { set, current, update, control, now } = input;
  const { replicas, condemned } = partitionPods(input);
  const firstUnhealthy =
    replicas.find((p) => !isHealthy(p)) ?? [...condemned].reverse().find((p) => !isHealthy(p));
  const status = (): StatefulSetStatus =>
    computeStatus({
      set,
      current,
      update,
      collisionCount: input.collisionCount,
      now: now(),
      pods: [...replicas, ...condemned],
    });
  if (set.metadata?.deletionTimestamp) return status();

  const updateSet = applyRevision(set, update);
  const monotonic = !allowsBurst(set);
  const pass: Pass = {
    set,
    updateSet,
    control,
    monotonic,
    minReady: set.spec?.minReadySeconds ?? 0,
    now,
  };
  if (await runForAll(replicas, (pod) => processReplica(pass, pod), monotonic)) return status();
  const fixPodClaim: Step = async (pod) => {
    if (!control.claimsMatchRetentionPolicy(updateSet, pod)) {
      await control.updatePodClaimForRetentionPolicy(updateSet, pod);
    }
    return false;
  };
  if (await runForAll(condemned, fixPodClaim, monotonic)) return status();
  const condemn: Step = (pod) => processCondemned(pass, pod, firstUnhealthy);
  if (await runForAll(condemned, condemn, monotonic)) return status();

  if ((set.spec?.updateStrategy?.type ?? "RollingUpdate") === "OnDelete") return status();
  await rollingUpdate({ set, replicas, update, control });
  return status();
}

/** Deletes the highest-ordinal pod at or above the partition that is not at the update revision. */
async function rollingUpdate(options: {
  set: StatefulSet;
  replicas: readonly Pod[];
  update: ControllerRevision;
  control: StatefulPodControl;
}): Promise<void> {
  const { set, replicas, update, control } = options;
  const updateMin = set.spec?.updateStrategy?.rollingUpdate?.partition ?? 0;
  for (let target = replicas.length - 1; target >= updateMin; target--) {
    const pod = replicas[target]!;
    if (getPodRevision(pod) !== update.metadata?.name && !isTerminating(pod)) {
      if (isCreated(pod)) await control.deleteStatefulPod(set, pod);
      return;
    }
    if (!isHealthy(pod)) return;
  }
}
