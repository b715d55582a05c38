/**
 * core/v1 Pod: defaults, create-time status (Pending and the QoS class), validation, the update
 * rules, field selectors, graceful deletion and the `kubectl get pods` table.
 */
import type { Pod } from "../../generated/types.ts";
import type { ResourceDefinition } from "../../resource.ts";
import type { Obj } from "./common.ts";
import { defaultPod } from "./pod-defaults.ts";
import { podPrinter } from "./pod-printer.ts";
import { computePodQOS } from "./pod-resources.ts";
import {
  validateEphemeralContainersUpdate,
  validatePodStatusUpdate,
  validatePodUpdate,
} from "./pod-update.ts";
import { validatePod } from "./pod-validation.ts";

type PodObj = Obj<Pod>;

/** `PrepareForCreate`: a fresh Pending status with the QoS class; gated pods say so. */
export function preparePodForCreate(pod: Pod): void {
  pod.status = { phase: "Pending", qosClass: computePodQOS(pod.spec) };
  if ((pod.spec?.schedulingGates ?? []).length > 0) {
    pod.status.conditions = [
      {
        type: "PodScheduled",
        status: "False",
        reason: "SchedulingGated",
        message: "Scheduling is blocked due to non-empty scheduling gates",
      },
    ];
  }
}

/** `ToSelectableFields`: every key always present. */
export function podSelectableFields(pod: Pod): Record<string, string> {
  const spec = pod.spec;
  const status = pod.status;
  return {
    "spec.nodeName": spec?.nodeName ?? "",
    "spec.restartPolicy": spec?.restartPolicy ?? "",
    "spec.schedulerName": spec?.schedulerName ?? "",
    "spec.serviceAccountName": spec?.serviceAccountName ?? "",
    "spec.hostNetwork": String(spec?.hostNetwork === true),
    "status.phase": status?.phase ?? "",
    "status.podIP": status?.podIPs?.[0]?.ip ?? status?.podIP ?? "",
    "status.nominatedNodeName": status?.nominatedNodeName ?? "",
  };
}

/** `CheckGracefulDelete`: unscheduled and finished pods go at once; negative becomes 1. */
export function podGracePeriodSeconds(pod: Pod, requested: number | undefined): number {
  const phase = pod.status?.phase;
  if (!pod.spec?.nodeName || phase === "Succeeded" || phase === "Failed") return 0;
  const period = requested ?? pod.spec.terminationGracePeriodSeconds ?? 30;
  return period < 0 ? 1 : period;
}

export const podResource: ResourceDefinition<PodObj> = {
  group: "",
  version: "v1",
  kind: "Pod",
  plural: "pods",
  singular: "pod",
  shortNames: ["po"],
  categories: ["all"],
  namespaced: true,
  subresources: [
    "status",
    "log",
    "exec",
    "attach",
    "portforward",
    "binding",
    "eviction",
    "ephemeralcontainers",
  ],
  strategy: {
    defaults: defaultPod,
    prepareForCreate: preparePodForCreate,
    validate: validatePod,
    validateUpdate: validatePodUpdate,
    validateStatusUpdate: validatePodStatusUpdate,
    validateEphemeralContainersUpdate,
    selectableFields: podSelectableFields,
    gracePeriodSeconds: podGracePeriodSeconds,
    printer: podPrinter,
  },
};
