/**
 * The workload kinds: core/v1 Pod, PodTemplate and ReplicationController, apps/v1 Deployment,
 * ReplicaSet, StatefulSet, DaemonSet and ControllerRevision, batch/v1 Job and CronJob. See
 * README.md.
 */
import type { KubeObject } from "../../object.ts";
import type { ResourceDefinition } from "../../resource.ts";
import { controllerRevisionResource } from "./controller-revision.ts";
import { cronJobResource } from "./cron-job.ts";
import { daemonSetResource } from "./daemon-set.ts";
import { deploymentResource } from "./deployment.ts";
import { horizontalPodAutoscalerResource } from "./horizontal-pod-autoscaler.ts";
import { horizontalPodAutoscalerV1Resource } from "./horizontal-pod-autoscaler-v1.ts";
import { jobResource } from "./job.ts";
import { podResource } from "./pod.ts";
import { podTemplateResource } from "./pod-template.ts";
import { replicaSetResource } from "./replica-set.ts";
import { replicationControllerResource } from "./replication-controller.ts";
import { statefulSetResource } from "./stateful-set.ts";

export { assignPod, validatePodBinding } from "./pod-binding.ts";
export { defaultPodSpec, defaultPodTemplateSpec } from "./pod-defaults.ts";
export { computePodQOS } from "./pod-resources.ts";
export { validatePodSpec, validatePodTemplateSpec } from "./pod-validation.ts";
export {
  controllerRevisionResource,
  cronJobResource,
  daemonSetResource,
  deploymentResource,
  jobResource,
  podResource,
  podTemplateResource,
  replicaSetResource,
  replicationControllerResource,
  statefulSetResource,
};

/** Each definition is typed for its kind; the registry sees them as plain objects. */
const erase = <T extends KubeObject>(def: ResourceDefinition<T>): ResourceDefinition =>
  def as unknown as ResourceDefinition;

export const workloadResources: ResourceDefinition[] = [
  erase(podResource),
  erase(podTemplateResource),
  erase(replicationControllerResource),
  erase(deploymentResource),
  erase(replicaSetResource),
  erase(statefulSetResource),
  erase(daemonSetResource),
  erase(controllerRevisionResource),
  erase(jobResource),
  erase(cronJobResource),
  erase(horizontalPodAutoscalerResource),
  erase(horizontalPodAutoscalerV1Resource),
];
