/**
 * The Job controller's writes, through the API only: pods from the template (upstream
 * `PodControl`), pod deletion, tracking-finalizer removal, and Job status updates (with the
 * resourceVersion read, so a stale cache ends in a Conflict and a retry, never a lost count).
 */
import type { OwnerReference, PodTemplateSpec } from "../../api/generated/types.ts";
import type { EventRecorder } from "../../client/event-recorder.ts";
import { resourcePath, resources } from "../../client/resources.ts";
import type { RestClient } from "../../client/rest-client.ts";
import { isStatusError } from "../../machinery/status.ts";
import {
  deletePod,
  failedCreatePodReason,
  getPodFromTemplate,
  isNamespaceTerminating,
  type PodControl,
  successfulCreatePodReason,
} from "../common/pod-control.ts";
import { type JobObj, jobTrackingFinalizer, type PodObj } from "./job-pods.ts";

export function jobControllerRef(job: JobObj): OwnerReference {
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    name: job.metadata?.name ?? "",
    uid: job.metadata?.uid ?? "",
    controller: true,
    blockOwnerDeletion: true,
  };
}

/** Gives cached objects the type meta that events and PUTs need. */
export function withJobTypeMeta(job: JobObj): JobObj {
  return { ...structuredClone(job), apiVersion: "batch/v1", kind: "Job" };
}

export async function updateJobStatus(client: RestClient, job: JobObj): Promise<JobObj> {
  const meta = job.metadata ?? {};
  const path = resourcePath(resources.jobs, meta.namespace, meta.name, "status");
  const updated = await client.update<JobObj>(path, job);
  return withJobTypeMeta(updated);
}

/** `CreatePodsWithGenerateName`: the template's metadata and spec, owned by the Job. */
export async function createJobPod(options: {
  client: RestClient;
  recorder: EventRecorder;
  job: JobObj;
  template: PodTemplateSpec;
  generateName: string;
}): Promise<PodObj> {
  const { job, template } = options;
  const finalizers = (template.metadata?.finalizers ?? []).filter(
    (f) => f !== jobTrackingFinalizer,
  );
  template.metadata = { ...template.metadata, finalizers: [...finalizers, jobTrackingFinalizer] };
  const pod = getPodFromTemplate(template, job, jobControllerRef(job));
  pod.metadata = { ...pod.metadata, generateName: options.generateName };
  const namespace = job.metadata?.namespace ?? "";
  try {
    const created = await options.client.create<PodObj>(
      resourcePath(resources.pods, namespace),
      pod,
    );
    options.recorder.event(
      job,
      "Normal",
      successfulCreatePodReason,
      `Created pod: ${created.metadata?.name}`,
    );
    return created;
  } catch (err) {
    if (!isNamespaceTerminating(err)) {
      const message = `Error creating: ${(err as Error).message}`;
      options.recorder.event(job, "Warning", failedCreatePodReason, message);
    }
    throw err;
  }
}

/** Deletes a pod, with events; false when it was already gone. */
export async function deleteJobPod(
  control: PodControl,
  job: JobObj,
  pod: PodObj,
): Promise<boolean> {
  const meta = pod.metadata ?? {};
  try {
    await deletePod(control, {
      namespace: meta.namespace ?? "",
      name: meta.name ?? "",
      parent: job,
    });
    return true;
  } catch (err) {
    if (isStatusError(err, "NotFound")) return false;
    throw err;
  }
}

/** Removes the tracking finalizer; a pod already gone counts as done. */
export async function removeTrackingFinalizer(client: RestClient, pod: PodObj): Promise<void> {
  const meta = pod.metadata ?? {};
  if (!(meta.finalizers ?? []).includes(jobTrackingFinalizer)) return;
  const patch = { metadata: { "$deleteFromPrimitiveList/finalizers": [jobTrackingFinalizer] } };
  try {
    await client.patch(resourcePath(resources.pods, meta.namespace, meta.name), "strategic", patch);
  } catch (err) {
    if (!isStatusError(err, "NotFound")) throw err;
  }
}
