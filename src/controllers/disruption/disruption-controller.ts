import type {
  Deployment,
  Pod,
  PodDisruptionBudget,
  PodDisruptionBudgetStatus,
  ReplicaSet,
  ReplicationController,
  StatefulSet,
} from "../../api/generated/types.ts";
import { budgetCovers } from "../../api/kinds/policy/pod-disruption-budget.ts";
import type { KubeObject } from "../../api/object.ts";
import { runWorkers } from "../../client/controller.ts";
import { type Informer, keyOf } from "../../client/informer.ts";
import { resources } from "../../client/resources.ts";
import { WorkQueue } from "../../client/work-queue.ts";
import { onAbort } from "../../machinery/abort.ts";
import { formatTime } from "../../machinery/time.ts";
import { inNamespace, KeysByNamespace, writeStatusIfChanged } from "../common/by-namespace.ts";
import { getControllerOf } from "../common/controller-ref.ts";
import { isPodReady } from "../common/pod-utils.ts";
import type { Controller, ControllerContext, ControllerFactory } from "../context.ts";
import { DelayedEnqueuer } from "../job/delayed-enqueuer.ts";

type PDB = PodDisruptionBudget & KubeObject;
type PodObj = Pod & KubeObject;

/** Upstream `DeletionTimeout`: an eviction the pod's deletion never followed is forgotten. */
export const deletionTimeoutMs = 2 * 60_000;

export interface BudgetFigures {
  readonly expectedPods: number;
  readonly desiredHealthy: number;
}

/** The scale of a pod's controller, or undefined when it has none the controller knows. */
export type ScaleOf = (pod: PodObj) => { uid: string; replicas: number } | undefined;

/** `getExpectedPodCount`; throws when a scale is needed and a pod has no known controller. */
export function expectedCounts(pdb: PDB, pods: readonly PodObj[], scaleOf: ScaleOf): BudgetFigures {
  const { minAvailable, maxUnavailable } = pdb.spec ?? {};
  const scale = () => {
    const seen = new Map<string, number>();
    for (const pod of pods) {
      const s = scaleOf(pod);
      if (!s) throw new Error(`found no controllers for pod "${pod.metadata?.name}"`);
      seen.set(s.uid, s.replicas);
    }
    return [...seen.values()].reduce((a, b) => a + b, 0);
  };
  const scaled = (v: number | string, total: number) =>
    typeof v === "number" ? v : Math.ceil((Number.parseInt(v, 10) * total) / 100);
  if (maxUnavailable !== undefined && maxUnavailable !== null) {
    const expected = scale();
    return {
      expectedPods: expected,
      desiredHealthy: Math.max(0, expected - scaled(maxUnavailable, expected)),
    };
  }
  if (typeof minAvailable === "number")
    return { expectedPods: pods.length, desiredHealthy: minAvailable };
  if (typeof minAvailable === "string") {
    const expected = scale();
    return { expectedPods: expected, desiredHealthy: scaled(minAvailable, expected) };
  }
  return { expectedPods: pods.length, desiredHealthy: 0 };
}

/** The status a budget should have now (`trySync` and `updatePdbStatus`). */
export function budgetStatus(
  pdb: PDB,
  pods: readonly PodObj[],
  scaleOf: ScaleOf,
  now: number,
): { status: PodDisruptionBudgetStatus; recheckAt?: number } {
  const generation = pdb.metadata?.generation ?? 0;
  const old = pdb.status;
  const condition = (ok: boolean, reason: string, message = "") => {
    const status = ok ? "True" : "False";
    const prev = old?.conditions?.find((c) => c.type === "DisruptionAllowed");
    return {
      type: "DisruptionAllowed",
      status,
      observedGeneration: generation,
      lastTransitionTime:
        prev && prev.status === status && prev.lastTransitionTime
          ? prev.lastTransitionTime
          : formatTime(now),
      reason,
      message,
    };
  };
  let figures: BudgetFigures;
  try {
    figures = expectedCounts(pdb, pods, scaleOf);
  } catch (err) {
    // `failSafe`: nothing may be evicted while the budget cannot be worked out.
    return {
      status: {
        observedGeneration: generation,
        disruptionsAllowed: 0,
        currentHealthy: old?.currentHealthy ?? 0,
        desiredHealthy: old?.desiredHealthy ?? 0,
        expectedPods: old?.expectedPods ?? 0,
        conditions: [condition(false, "SyncFailed", (err as Error).message)],
      },
    };
  }
  const byName = new Map(pods.map((p) => [p.metadata?.name ?? "", p]));
  const disrupted: Record<string, string> = {};
  let recheckAt: number | undefined;
  for (const [name, at] of Object.entries(old?.disruptedPods ?? {})) {
    const pod = byName.get(name);
    if (!pod || pod.metadata?.deletionTimestamp) continue;
    const expires = Date.parse(at) + deletionTimeoutMs;
    if (expires <= now) continue;
    disrupted[name] = at;
    recheckAt = Math.min(recheckAt ?? expires, expires);
  }
  const healthy = pods.filter(
    (p) =>
      !p.metadata?.deletionTimestamp && isPodReady(p) && !((p.metadata?.name ?? "") in disrupted),
  ).length;
  const allowed = figures.expectedPods <= 0 ? 0 : Math.max(0, healthy - figures.desiredHealthy);
  const status: PodDisruptionBudgetStatus = {
    observedGeneration: generation,
    disruptionsAllowed: allowed,
    currentHealthy: healthy,
    desiredHealthy: figures.desiredHealthy,
    expectedPods: figures.expectedPods,
    ...(Object.keys(disrupted).length > 0 ? { disruptedPods: disrupted } : {}),
    conditions: [
      allowed > 0 ? condition(true, "SufficientPods") : condition(false, "InsufficientPods"),
    ],
  };
  return recheckAt === undefined ? { status } : { status, recheckAt };
}

export class DisruptionController implements Controller {
  readonly name = "disruption-controller";
  readonly #ctx: ControllerContext;
  readonly #budgets: Informer<PDB>;
  readonly #pods: Informer<PodObj>;
  readonly #replicaSets: Informer<ReplicaSet & KubeObject>;
  readonly #deployments: Informer<Deployment & KubeObject>;
  readonly #statefulSets: Informer<StatefulSet & KubeObject>;
  readonly #replicationControllers: Informer<ReplicationController & KubeObject>;
  readonly #queue = new WorkQueue<string>({ maxDelayMs: 60_000 });
  readonly #delayed: DelayedEnqueuer;
  readonly #byNamespace = new KeysByNamespace();

  constructor(ctx: ControllerContext) {
    this.#ctx = ctx;
    this.#delayed = new DelayedEnqueuer(ctx.clock, this.#queue);
    this.#budgets = ctx.informers.informer<PDB>(resources.poddisruptionbudgets);
    this.#pods = ctx.informers.informer<PodObj>(resources.pods);
    this.#replicaSets = ctx.informers.informer(resources.replicasets);
    this.#deployments = ctx.informers.informer(resources.deployments);
    this.#statefulSets = ctx.informers.informer(resources.statefulsets);
    this.#replicationControllers = ctx.informers.informer(resources.replicationcontrollers);
    this.#budgets.addHandlers({
      onAdd: (pdb) => this.#remember(pdb),
      onUpdate: (_, pdb) => this.#remember(pdb),
      onDelete: (pdb) => {
        this.#byNamespace.delete(pdb);
        this.#delayed.cancel(keyOf(pdb));
      },
    });
    this.#pods.addHandlers({
      onAdd: (pod) => this.#podChanged(pod),
      onUpdate: (old, pod) => {
        this.#podChanged(pod);
        if (old.metadata?.labels !== pod.metadata?.labels) this.#podChanged(old);
      },
      onDelete: (pod) => this.#podChanged(pod),
    });
    // A controller's scale moves the expected count of percentage and maxUnavailable budgets.
    const scaleChanged = (obj: KubeObject) => this.#enqueueNamespace(obj.metadata?.namespace ?? "");
    const controllers = [
      this.#replicaSets,
      this.#deployments,
      this.#statefulSets,
      this.#replicationControllers,
    ];
    for (const informer of controllers) {
      informer.addHandlers({
        onAdd: scaleChanged,
        onUpdate: (_, obj) => scaleChanged(obj),
        onDelete: scaleChanged,
      });
    }
  }

  #remember(pdb: PDB): void {
    this.#byNamespace.add(pdb);
    this.#queue.add(keyOf(pdb));
  }

  #enqueueNamespace(namespace: string): void {
    for (const key of this.#byNamespace.of(namespace)) this.#queue.add(key);
  }

  /** The budgets in the pod's namespace whose selector matches it. */
  #podChanged(pod: PodObj): void {
    for (const key of this.#byNamespace.of(pod.metadata?.namespace ?? "")) {
      const pdb = this.#budgets.getByKey(key);
      if (pdb && budgetCovers(pdb, pod)) this.#queue.add(key);
    }
  }

  #scaleOf: ScaleOf = (pod) => {
    const ref = getControllerOf(pod);
    const ns = pod.metadata?.namespace ?? "";
    if (!ref) return undefined;
    if (ref.kind === "StatefulSet") {
      const sts = this.#statefulSets.get(ns, ref.name);
      return sts?.metadata?.uid === ref.uid
        ? { uid: ref.uid, replicas: sts.spec?.replicas ?? 1 }
        : undefined;
    }
    if (ref.kind === "ReplicationController") {
      const rc = this.#replicationControllers.get(ns, ref.name);
      return rc?.metadata?.uid === ref.uid
        ? { uid: ref.uid, replicas: rc.spec?.replicas ?? 1 }
        : undefined;
    }
    if (ref.kind !== "ReplicaSet") return undefined;
    const rs = this.#replicaSets.get(ns, ref.name);
    if (!rs || rs.metadata?.uid !== ref.uid) return undefined;
    const owner = getControllerOf(rs);
    if (owner?.kind === "Deployment") {
      const d = this.#deployments.get(ns, owner.name);
      if (d?.metadata?.uid === owner.uid)
        return { uid: owner.uid, replicas: d.spec?.replicas ?? 1 };
    }
    return { uid: ref.uid, replicas: rs.spec?.replicas ?? 1 };
  };

  async #sync(key: string): Promise<void> {
    const pdb = this.#budgets.getByKey(key);
    if (!pdb || pdb.metadata?.deletionTimestamp) return;
    const ns = pdb.metadata?.namespace ?? "";
    const pods = inNamespace(this.#pods, ns).filter((p) => budgetCovers(pdb, p));
    const now = this.#ctx.clock.now();
    const { status, recheckAt } = budgetStatus(pdb, pods, this.#scaleOf, now);
    if (recheckAt !== undefined) this.#delayed.addAfter(key, recheckAt - now + 1000);
    await writeStatusIfChanged(this.#ctx.client, resources.poddisruptionbudgets, pdb, status);
  }

  async run(signal: AbortSignal): Promise<void> {
    await Promise.all(
      [
        this.#budgets,
        this.#pods,
        this.#replicaSets,
        this.#deployments,
        this.#statefulSets,
        this.#replicationControllers,
      ].map((i) => i.synced()),
    );
    onAbort(signal, () => this.#delayed.cancelAll());
    await runWorkers({
      queue: this.#queue,
      workers: 2,
      sync: (key) => this.#sync(key),
      log: this.#ctx.log,
      signal,
    });
  }
}

export const disruptionControllerFactory: ControllerFactory = {
  name: "disruption-controller",
  create: (ctx) => new DisruptionController(ctx),
};
