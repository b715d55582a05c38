/**
 * Creating and deleting a controller's pods (upstream `controller.RealPodControl`): pods come
 * from the template with generateName `<controller>-`, the template's labels, annotations and
 * finalizers, and the controller reference; each outcome is recorded as an event on the
 * controller (SuccessfulCreate / FailedCreate, SuccessfulDelete / FailedDelete).
 */
import type { OwnerReference, Pod, PodTemplateSpec } from "../../api/generated/types.ts";
import type { KubeObject } from "../../api/object.ts";
import type { EventRecorder } from "../../client/event-recorder.ts";
import { resourcePath, resources } from "../../client/resources.ts";
import type { RestClient } from "../../client/rest-client.ts";
import { isStatusError } from "../../machinery/status.ts";

export const successfulCreatePodReason = "SuccessfulCreate";
export const failedCreatePodReason = "FailedCreate";
export const successfulDeletePodReason = "SuccessfulDelete";
export const failedDeletePodReason = "FailedDelete";

export interface PodControl {
  readonly client: RestClient;
  readonly recorder: EventRecorder;
}

/** True when the API refused a create because the namespace is being deleted. */
export function isNamespaceTerminating(err: unknown): boolean {
  return (
    isStatusError(err) &&
    (err.status.details?.causes ?? []).some((c) => c.reason === "NamespaceTerminating")
  );
}

/** `GetPodFromTemplate`. */
export function getPodFromTemplate(
  template: PodTemplateSpec | undefined,
  parent: KubeObject,
  controllerRef?: OwnerReference,
): Pod {
  const meta = template?.metadata ?? {};
  const pod: Pod = {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      generateName: `${parent.metadata?.name ?? ""}-`,
      ...(meta.labels ? { labels: { ...meta.labels } } : {}),
      ...(meta.annotations ? { annotations: { ...meta.annotations } } : {}),
      ...(meta.finalizers ? { finalizers: [...meta.finalizers] } : {}),
      ...(controllerRef ? { ownerReferences: [controllerRef] } : {}),
    },
    spec: structuredClone(template?.spec ?? { containers: [] }),
  };
  return pod;
}

/** `CreatePods`: one pod from the template in `namespace`, with events on `parent`. */
export async function createPod(
  control: PodControl,
  options: {
    namespace: string;
    template: PodTemplateSpec | undefined;
    parent: KubeObject;
    controllerRef?: OwnerReference;
  },
): Promise<Pod> {
  const pod = getPodFromTemplate(options.template, options.parent, options.controllerRef);
  if (Object.keys(pod.metadata?.labels ?? {}).length === 0) {
    throw new Error("unable to create pods, no labels");
  }
  try {
    const created = await control.client.create<Pod>(
      resourcePath(resources.pods, options.namespace),
      pod,
    );
    const name = created.metadata?.name ?? "";
    control.recorder.event(
      options.parent,
      "Normal",
      successfulCreatePodReason,
      `Created pod: ${name}`,
    );
    return created;
  } catch (err) {
    if (!isNamespaceTerminating(err)) {
      const message = `Error creating: ${(err as Error).message}`;
      control.recorder.event(options.parent, "Warning", failedCreatePodReason, message);
    }
    throw err;
  }
}

/** `DeletePod`, with events on `parent`; NotFound is thrown for the caller to ignore. */
export async function deletePod(
  control: PodControl,
  options: { namespace: string; name: string; parent: KubeObject },
): Promise<void> {
  try {
    await control.client.delete(resourcePath(resources.pods, options.namespace, options.name));
  } catch (err) {
    if (!isStatusError(err, "NotFound")) {
      const message = `Error deleting: ${(err as Error).message}`;
      control.recorder.event(options.parent, "Warning", failedDeletePodReason, message);
    }
    throw err;
  }
  const message = `Deleted pod: ${options.name}`;
  control.recorder.event(options.parent, "Normal", successfulDeletePodReason, message);
}
