/**
 * Helpers for the Deployment controller tests: a cluster running the ReplicaSet and Deployment
 * controllers, Deployment manifests, kubectl's `rollout status` test, and a stand-in kubelet
 * step that marks pods ready.
 */
import { resourcePath, resources } from "../../client/resources.ts";
import type { RestClient } from "../../client/rest-client.ts";
import { eventually } from "../../client/testing/test-api.ts";
import type { Clock } from "../../machinery/clock.ts";
import type { Deployment, Pod, ReplicaSet } from "../common/objects.ts";
import { isPodReady } from "../common/pod-utils.ts";
import {
  type ControllerHarness,
  listPods,
  markPodReady,
  startControllers,
  testPodSpec,
} from "../common/testing.ts";
import { newReplicaSetController } from "../replicaset/replica-set-controller.ts";
import { newDeploymentController } from "./deployment-controller.ts";

export const ns = "default";
export const dPath = (name = "") => resourcePath(resources.deployments, ns, name);
export const rsPath = (name = "") => resourcePath(resources.replicasets, ns, name);

export function startCluster(clock?: Clock): Promise<ControllerHarness> {
  return startControllers({
    create: [(ctx) => newReplicaSetController(ctx), (ctx) => newDeploymentController(ctx)],
    ...(clock ? { clock } : {}),
  });
}

export function deployment(
  name: string,
  replicas: number,
  spec: Partial<NonNullable<Deployment["spec"]>> = {},
): Deployment {
  const labels = { app: name };
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, namespace: ns },
    spec: {
      replicas,
      selector: { matchLabels: labels },
      template: { metadata: { labels }, spec: structuredClone(testPodSpec) },
      ...spec,
    },
  };
}

export const getDeployment = (client: RestClient, name: string) =>
  client.get<Deployment>(dPath(name));

export async function listReplicaSets(client: RestClient, app: string): Promise<ReplicaSet[]> {
  const list = await client.get<{ items: ReplicaSet[] }>(rsPath(), { labelSelector: `app=${app}` });
  return list.items;
}

/** kubectl's `rollout status` check for Deployments. */
export function rolloutComplete(d: Deployment): boolean {
  const s = d.status ?? {};
  if ((d.metadata?.generation ?? 0) > (s.observedGeneration ?? 0)) return false;
  return (
    (s.updatedReplicas ?? 0) >= (d.spec?.replicas ?? 1) &&
    (s.replicas ?? 0) <= (s.updatedReplicas ?? 0) &&
    (s.availableReplicas ?? 0) >= (s.updatedReplicas ?? 0)
  );
}

/** Marks every active, not-ready pod of the app ready; returns how many. */
export async function readyAll(client: RestClient, app: string): Promise<number> {
  const pods = await listPods(client, ns, { app });
  const pending = pods.filter((p) => !isPodReady(p) && !p.metadata?.deletionTimestamp);
  await Promise.all(pending.map((p) => markPodReady(client, p)));
  return pending.length;
}

/** Marks pods ready until the rollout completes; returns the Deployment. */
export async function completeRollout(
  client: RestClient,
  name: string,
  ms = 10_000,
): Promise<Deployment> {
  return eventually(async () => {
    await readyAll(client, name);
    const d = await getDeployment(client, name);
    return rolloutComplete(d) && d;
  }, ms);
}

/** Changes the Deployment's container image (`kubectl set image`). */
export async function setImage(client: RestClient, name: string, image: string): Promise<void> {
  const d = await getDeployment(client, name);
  const template = structuredClone(d.spec?.template ?? {});
  const container = template.spec?.containers[0];
  if (container) container.image = image;
  await client.patch(dPath(name), "merge", { spec: { template } });
}

export const imageOf = (p: Pod | ReplicaSet): string | undefined =>
  "containers" in (p.spec ?? {})
    ? (p as Pod).spec?.containers[0]?.image
    : (p as ReplicaSet).spec?.template?.spec?.containers[0]?.image;
