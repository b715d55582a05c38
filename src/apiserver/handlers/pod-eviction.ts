/**
 * pods/eviction (upstream `pkg/registry/core/pod/storage/eviction.go`): a delete that the pod's
 * PodDisruptionBudget may refuse. A pod that is not running (pending, finished, already being
 * deleted) is deleted at once. Otherwise its budget (more than one is an error) must allow a
 * disruption: the eviction takes one from `status.disruptionsAllowed` and records the pod under
 * `status.disruptedPods` (so the disruption controller does not count it as healthy while it goes),
 * in the same write that checks the budget is current; then the pod is deleted. A budget that
 * allows none answers 429, which `kubectl drain` retries. Unready pods follow the budget's
 * `unhealthyPodEvictionPolicy`.
 */
import type { Eviction, Pod, PodDisruptionBudget } from "../../api/generated/types.ts";
import { budgetCovers } from "../../api/kinds/policy/pod-disruption-budget.ts";
import type { KubeObject } from "../../api/object.ts";
import {
  newBadRequest,
  newForbidden,
  newInternalError,
  newNotFound,
  newTooManyRequests,
  type StatusError,
  statusSuccess,
} from "../../machinery/status.ts";
import { formatTime } from "../../machinery/time.ts";
import type { ClusterReader } from "../cluster-reader.ts";
import { decodeBody, readBody } from "../http/body.ts";
import { writeJson } from "../http/respond.ts";
import type { DeleteOptions } from "../registry/deletion.ts";
import type { GenericRegistry } from "../registry/generic-registry.ts";
import type { HttpContext } from "./context.ts";
import { requestContext } from "./objects.ts";
import type { SubresourceHandler } from "./resource.ts";

type PDB = PodDisruptionBudget & KubeObject;

/** Upstream `MaxDisruptedPodSize`: evictions the disruption controller has not yet seen. */
const maxDisruptedPods = 2000;
const violation = "Cannot evict pod as it would violate the pod's disruption budget.";

function isReady(pod: Pod): boolean {
  return (pod.status?.conditions ?? []).some((c) => c.type === "Ready" && c.status === "True");
}

/** `canIgnorePDB`: a pod that is not running, or already going, disrupts nothing more. */
function canIgnoreBudget(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return (
    phase === "Succeeded" ||
    phase === "Failed" ||
    phase === "Pending" ||
    pod.metadata?.deletionTimestamp != null
  );
}

function tooManyRequests(cause: string): StatusError {
  const err = newTooManyRequests(violation, 0);
  err.status.details = {
    ...err.status.details,
    causes: [{ reason: "DisruptionBudget", message: cause }],
  };
  return err;
}

/** `checkAndDecrement` on a copy of the budget; throws what the eviction answers. */
function takeDisruption(pdb: PDB, podName: string, now: string): PDB {
  const status = pdb.status ?? {
    disruptionsAllowed: 0,
    currentHealthy: 0,
    desiredHealthy: 0,
    expectedPods: 0,
  };
  if ((status.observedGeneration ?? 0) < (pdb.metadata?.generation ?? 0)) {
    throw tooManyRequests(
      `The disruption budget ${pdb.metadata?.name} is still being processed by the server.`,
    );
  }
  if (status.disruptionsAllowed < 0) {
    throw newForbidden(
      { group: "policy", resource: "poddisruptionbudgets" },
      pdb.metadata?.name ?? "",
      "pdb disruptions allowed is negative",
    );
  }
  if (Object.keys(status.disruptedPods ?? {}).length >= maxDisruptedPods) {
    throw newForbidden(
      { group: "policy", resource: "poddisruptionbudgets" },
      pdb.metadata?.name ?? "",
      "DisruptedPods map too big - too many evictions not confirmed by PDB controller",
    );
  }
  if (status.disruptionsAllowed === 0) {
    throw tooManyRequests(
      `The disruption budget ${pdb.metadata?.name} needs ${status.desiredHealthy} healthy pods and has ${status.currentHealthy} currently`,
    );
  }
  const allowed = status.disruptionsAllowed - 1;
  const conditions = (status.conditions ?? []).map((c) =>
    c.type === "DisruptionAllowed" && allowed === 0
      ? { ...c, status: "False", reason: "InsufficientPods", message: "", lastTransitionTime: now }
      : c,
  );
  return {
    ...pdb,
    status: {
      ...status,
      disruptionsAllowed: allowed,
      disruptedPods: { ...status.disruptedPods, [podName]: now },
      conditions,
    },
  };
}

export function evictionHandler(reader: ClusterReader): SubresourceHandler {
  return async (ctx: HttpContext, pods: GenericRegistry): Promise<void> => {
    if (ctx.info.verb !== "create") throw newBadRequest("eviction supports only create");
    const eviction = decodeBody(ctx.req.headers["content-type"], await readBody(ctx.req)) as
      | Eviction
      | Record<string, unknown>;
    const options = ((eviction as Eviction).deleteOptions ?? {}) as DeleteOptions;
    const { namespace, name } = ctx.info;
    const pod = (await pods.get(namespace, name)) as Pod;
    const dryRun = (options as { dryRun?: string[] }).dryRun?.includes("All") ?? false;
    if (!canIgnoreBudget(pod)) {
      const budgets = (reader.list("policy", "poddisruptionbudgets", namespace) as PDB[]).filter(
        (pdb) => budgetCovers(pdb, pod),
      );
      if (budgets.length > 1) {
        throw newInternalError(
          "This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.",
        );
      }
      const budget = budgets[0];
      if (budget) await checkBudget(ctx, budget, pod, dryRun);
    }
    await pods.delete(namespace, name, options, requestContext(ctx));
    writeJson(ctx.res, 201, { ...statusSuccess(), code: 201 });
  };
}

/** Takes a disruption from the budget (or lets an unready pod go, by its policy); throws if not. */
async function checkBudget(ctx: HttpContext, cached: PDB, pod: Pod, dryRun: boolean) {
  const budgets = ctx.parts.catalog.lookup("policy", "v1", "poddisruptionbudgets");
  if (!budgets) throw newInternalError("poddisruptionbudgets are not served");
  const podName = pod.metadata?.name ?? "";
  const pdbName = cached.metadata?.name ?? "";
  if (!isReady(pod)) {
    // `unhealthyPodEvictionPolicy`: AlwaysAllow lets an unready pod go; IfHealthyBudget (the
    // default) only while the budget is met without it.
    if (cached.spec?.unhealthyPodEvictionPolicy === "AlwaysAllow") return;
    const s = cached.status;
    if (s && s.currentHealthy >= s.desiredHealthy && s.desiredHealthy > 0) return;
  }
  const now = formatTime(ctx.parts.clock.now());
  if (dryRun) {
    takeDisruption((await budgets.get(ctx.info.namespace, pdbName)) as PDB, podName, now);
    return;
  }
  // Decided on the stored budget; a concurrent eviction's write makes the registry decide again.
  await budgets.update(
    ctx.info.namespace,
    pdbName,
    (current) => {
      if (!current)
        throw newNotFound({ group: "policy", resource: "poddisruptionbudgets" }, pdbName);
      const next = takeDisruption(current as PDB, podName, now);
      delete next.metadata!.resourceVersion;
      return next as KubeObject;
    },
    requestContext(ctx),
    { subresource: "status" },
  );
}
