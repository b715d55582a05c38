/**
 * What the Deployment sync functions share: the client, caches, clock, events, the queue
 * (for requeues), and the one way they write a Deployment's status.
 */
import type { DeploymentStatus } from "../../api/generated/types.ts";
import { metaOf } from "../../api/object.ts";
import type { EventRecorder } from "../../client/event-recorder.ts";
import type { Informer } from "../../client/informer.ts";
import { resourcePath, resources } from "../../client/resources.ts";
import type { RestClient } from "../../client/rest-client.ts";
import type { Clock } from "../../machinery/clock.ts";
import type { Logger } from "../../machinery/log.ts";
import type { ControllerKind } from "../common/controller-ref.ts";
import type { Deployment, Pod, ReplicaSet } from "../common/objects.ts";
import { revisionAnnotation } from "./annotations.ts";

export const deploymentKind: ControllerKind = { apiVersion: "apps/v1", kind: "Deployment" };

export interface DeploymentSyncDeps {
  readonly client: RestClient;
  readonly recorder: EventRecorder;
  readonly clock: Clock;
  readonly log: Logger;
  readonly dInformer: Informer<Deployment>;
  readonly rsInformer: Informer<ReplicaSet>;
  readonly podInformer: Informer<Pod>;
  enqueueAfter(d: Deployment, ms: number): void;
  enqueueRateLimited(d: Deployment): void;
}

/** The Deployment's status, created empty if absent. */
export function statusOf(d: Deployment): DeploymentStatus {
  d.status ??= {};
  return d.status;
}

export function deploymentPath(d: Deployment): string {
  const meta = d.metadata ?? {};
  return resourcePath(resources.deployments, meta.namespace ?? "", meta.name ?? "");
}

export function replicaSetPath(rs: ReplicaSet): string {
  const meta = rs.metadata ?? {};
  return resourcePath(resources.replicasets, meta.namespace ?? "", meta.name ?? "");
}

/**
 * `UpdateStatus` of `d` (status and the revision annotation), keeping `d`'s resourceVersion
 * current for later writes of the same sync. Upstream's status strategy lets metadata through,
 * which is how the revision annotation reaches the Deployment; if this API server dropped it,
 * the annotation is patched onto the object itself (a new generation, which the status written
 * at the end of the same sync then observes).
 */
export async function updateDeploymentStatus(
  deps: DeploymentSyncDeps,
  d: Deployment,
): Promise<void> {
  const path = deploymentPath(d);
  const updated = await deps.client.update<Deployment>(`${path}/status`, d);
  const meta = metaOf(d);
  meta.resourceVersion = updated.metadata?.resourceVersion ?? "";
  const wanted = meta.annotations?.[revisionAnnotation];
  if (wanted === undefined || updated.metadata?.annotations?.[revisionAnnotation] === wanted) {
    return;
  }
  const patched = await deps.client.patch<Deployment>(path, "merge", {
    metadata: {
      annotations: { [revisionAnnotation]: wanted },
      resourceVersion: meta.resourceVersion,
    },
  });
  meta.resourceVersion = patched.metadata?.resourceVersion ?? "";
  if (patched.metadata?.generation !== undefined) meta.generation = patched.metadata.generation;
}
